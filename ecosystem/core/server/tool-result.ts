import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ZodError } from 'zod';

/** Structured error content of an `isError` result (docs/ecosystem.md §5). */
export interface ToolErrorContent {
  error: string;
  message: string;
  details?: unknown;
}

/** A successful result: structured content plus one text block with the same JSON. */
export function successResult(value: unknown): CallToolResult {
  // Round-trip so Dates, bigint-as-string and undefined fields look exactly as clients will see them.
  const json = value === undefined ? null : JSON.parse(JSON.stringify(value));
  const structured = json !== null && typeof json === 'object' && !Array.isArray(json) ? json : { result: json };
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

export function errorResult(content: ToolErrorContent): CallToolResult {
  const structured: Record<string, unknown> = { error: content.error, message: content.message };
  if (content.details !== undefined) structured.details = JSON.parse(JSON.stringify(content.details));
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/**
 * ToolError is recognised by shape, not `instanceof`: roster tools are bundled
 * separately and carry their own copy of the class.
 */
export function asToolError(err: unknown): ToolErrorContent | null {
  if (err instanceof Error && err.name === 'ToolError' && typeof (err as { code?: unknown }).code === 'string') {
    const e = err as Error & { code: string; details?: unknown };
    return { error: e.code, message: e.message, details: e.details };
  }
  return null;
}

export function invalidArguments(tool: string, err: ZodError): ToolErrorContent {
  const issues = err.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return { error: 'invalid_arguments', message: `invalid arguments for ${tool}: ${summary}`, details: { issues } };
}
