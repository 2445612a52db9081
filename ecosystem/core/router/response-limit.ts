// The router's answer-size limit is enforced by its MCP clients' transport
// (ecosystem/core/mcp/http-client-transport.ts, `maxResponseBytes`): a larger
// `content-length` is refused before the body is read, and a body that grows
// past the limit is cut, so a hostile or broken target cannot make the
// switchboard hold, parse and re-send an answer of any size.
export { ResponseTooLargeError } from '../mcp/http-client-transport.ts';

/** Default of `switchboard.max_response_bytes` (docs/ecosystem.md §16). */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
