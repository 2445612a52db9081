import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  PermissionDeniedError,
  RateLimitError,
} from '@anthropic-ai/sdk/core/error';
import type { RuntimeErrorCode } from './protocol.ts';

/** Maps a failed `messages.create` (after the SDK's own retries) to a stable code and a short message. */
export function classifyApiError(err: unknown): { code: RuntimeErrorCode; message: string; status?: number } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof AuthenticationError) return { code: 'authentication_error', message, status: 401 };
  if (err instanceof PermissionDeniedError) return { code: 'permission_error', message, status: 403 };
  if (err instanceof RateLimitError) return { code: 'rate_limited', message, status: 429 };
  if (err instanceof BadRequestError) return { code: 'invalid_request', message, status: 400 };
  // Before APIError: connection errors are APIErrors without a status.
  if (err instanceof APIConnectionError) return { code: 'api_connection_error', message };
  if (err instanceof APIError) return { code: 'api_error', message, status: err.status };
  // A body that is not valid JSON, or any other surprise from the client.
  return { code: 'api_error', message };
}
