import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Default of `switchboard.max_response_bytes` (docs/ecosystem.md §16). */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** A target's answer grew past the limit; the router stopped reading it (`malformed_response` / `response_too_large`). */
export class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
  constructor(
    readonly bytes: number,
    readonly limit: number,
    declared: boolean,
  ) {
    super(`the answer ${declared ? 'declares' : 'reached'} ${bytes} bytes, over the ${limit}-byte limit (switchboard.max_response_bytes)`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * A fetch for the router's MCP clients that never buffers more than
 * `maxBytes` of one answer: a larger `content-length` is refused before the
 * body is read, and a body that grows past the limit is cut with a
 * ResponseTooLargeError (so a hostile or broken target cannot make the
 * switchboard hold, parse and re-send an answer of any size). The standalone
 * GET event stream is long-lived and not a single answer: it is left alone.
 */
export function sizeLimitedFetch(maxBytes: number, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const res = await base(url, init);
    if ((init?.method ?? 'GET').toUpperCase() === 'GET' || !res.body) return res;
    const length = res.headers.get('content-length');
    const declared = length === null ? NaN : Number(length);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(declared, maxBytes, true);
    }
    // A declared length within the limit bounds the body already (the HTTP
    // parser reads exactly that many bytes), unless it counts compressed bytes
    // that decode to more: then, and for a body without a length, count.
    const encoding = res.headers.get('content-encoding');
    if (Number.isFinite(declared) && (encoding === null || encoding.trim().toLowerCase() === 'identity')) return res;
    let seen = 0;
    const limited = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          seen += chunk.byteLength;
          if (seen > maxBytes) ctl.error(new ResponseTooLargeError(seen, maxBytes, false));
          else ctl.enqueue(chunk);
        },
      }),
    );
    return new Response(limited, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
