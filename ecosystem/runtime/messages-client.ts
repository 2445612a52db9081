import type Anthropic from '@anthropic-ai/sdk';
import { BaseAnthropic, type ClientOptions } from '@anthropic-ai/sdk/client';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';

/**
 * The Anthropic client a session uses: the SDK's own base client (auth,
 * retries, timeouts, errors, logging) with only its Messages resource.
 *
 * `new Anthropic()` wires every resource of the API (beta, organization,
 * files, skills…), so the runtime bundle carried 1.25 MB of the SDK that a
 * session never calls, and every session process compiled and ran its top
 * level before its first model request. Built from `BaseAnthropic` and
 * `Messages`, the bundle keeps about 0.3 MB of it (the package is marked
 * side-effect free, so esbuild drops the rest). docs/performance.md, "Session start".
 */
export type MessagesClient = Pick<Anthropic, 'messages'>;

export function createMessagesClient(options: ClientOptions): MessagesClient {
  const client = new BaseAnthropic(options);
  // Messages' constructor takes the full client type; it only uses the base's request methods.
  return { messages: new Messages(client as unknown as Anthropic) };
}
