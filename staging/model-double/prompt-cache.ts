// Prompt caching as the Messages API does it: `cache_control` breakpoints on
// tools, system blocks and message blocks (in that order) mark prefixes; a
// prefix at least the model's minimum long is written on first sight and read
// by later requests within its TTL. Usage splits the input accordingly.
import { createHash } from 'node:crypto';
import type { MessagesRequest } from './types.ts';

/** At most this many blocks may carry `cache_control` (the API refuses more). */
export const MAX_BREAKPOINTS = 4;

/** Cache lifetimes the API accepts, in milliseconds; `5m` is the default, refreshed on every hit. */
const TTL_MS: Record<string, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/**
 * The API's minimum cacheable prompt length per model family (Anthropic
 * prompt-caching documentation): a shorter prefix is processed normally and
 * neither written nor read. Most specific pattern first.
 */
const MINIMUMS: Array<[RegExp, number]> = [
  [/haiku-4-5|opus-4-5|opus-4-6/, 4096],
  [/haiku-3|3-5-haiku|3-haiku|sonnet-4-6/, 2048],
];
const DEFAULT_MINIMUM = 1024;

export function minimumCacheableTokens(model: string): number {
  return MINIMUMS.find(([pattern]) => pattern.test(model))?.[1] ?? DEFAULT_MINIMUM;
}

/** Tokens estimated as ⌈characters / 4⌉ (the double's only token measure). */
export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

type Block = Record<string, unknown>;

/** The request without its `cache_control` markers: what is counted and hashed. */
function strip<T>(value: T): T {
  if (Array.isArray(value)) return value.map(strip) as T;
  if (value && typeof value === 'object') {
    const out: Block = {};
    for (const [k, v] of Object.entries(value as Block)) if (k !== 'cache_control') out[k] = strip(v);
    return out as T;
  }
  return value;
}

/** Characters of the request as counted for `input_tokens`: system, messages and tools, markers left out. */
export function requestChars(req: MessagesRequest): number {
  return JSON.stringify(strip([req.system ?? '', req.messages, req.tools ?? []])).length;
}

/** One `cache_control` breakpoint: the prefix it closes, its length and its TTL. */
export interface Breakpoint {
  /** Where it sits, e.g. `tools.3`, `system.0`, `messages.2.content.1`. */
  path: string;
  /** The prefix up to and including the marked block, in API order, markers stripped. */
  prefix: string;
  tokens: number;
  ttlMs: number;
}

/** A request the cache cannot accept: the message names the field, as the API's 400 does. */
export class CacheControlError extends Error {}

function marker(block: unknown, path: string): { ttlMs: number } | null {
  const cc = (block as Block | null)?.cache_control as { type?: unknown; ttl?: unknown } | undefined;
  if (cc === undefined || cc === null) return null;
  if (cc.type !== 'ephemeral') throw new CacheControlError(`${path}.cache_control.type: must be "ephemeral"`);
  const ttl = cc.ttl === undefined ? '5m' : String(cc.ttl);
  if (!(ttl in TTL_MS)) throw new CacheControlError(`${path}.cache_control.ttl: must be "5m" or "1h"`);
  return { ttlMs: TTL_MS[ttl] };
}

/**
 * The breakpoints of a request in API order (tools → system → messages), each
 * with the stripped prefix it closes. Throws CacheControlError for a bad
 * marker or more than MAX_BREAKPOINTS of them.
 */
export function breakpoints(req: MessagesRequest): Breakpoint[] {
  const tools = req.tools ?? [];
  const system = typeof req.system === 'string' ? [{ type: 'text', text: req.system }] : (req.system ?? []);
  const found: Breakpoint[] = [];
  const add = (block: unknown, path: string, prefixParts: unknown[]): void => {
    const m = marker(block, path);
    if (!m) return;
    const prefix = JSON.stringify(strip(prefixParts));
    found.push({ path, prefix, tokens: estimateTokens(prefix.length), ttlMs: m.ttlMs });
  };
  tools.forEach((t, i) => add(t, `tools.${i}`, [tools.slice(0, i + 1)]));
  system.forEach((b, i) => add(b, `system.${i}`, [tools, system.slice(0, i + 1)]));
  req.messages.forEach((m, i) => {
    if (!Array.isArray(m.content)) return;
    m.content.forEach((b, j) =>
      add(b, `messages.${i}.content.${j}`, [tools, system, req.messages.slice(0, i), { role: m.role, content: m.content.slice(0, j + 1) }]),
    );
  });
  if (found.length > MAX_BREAKPOINTS) {
    throw new CacheControlError(`A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${found.length}.`);
  }
  return found;
}

/** The three input counts of a response's `usage`; their sum is the whole request. */
export interface InputUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * The cache of one double instance: prefix hash → expiry. A request reads the
 * longest of its breakpoint prefixes still cached, writes its last one when
 * that is at least the model's minimum and not already read, and pays
 * `input_tokens` only for what follows the last breakpoint (or for all of it
 * when nothing could be cached). Identical requests against the same cache
 * state get identical usage.
 */
export class PromptCache {
  private readonly entries = new Map<string, number>();

  usage(req: MessagesRequest, now: number): InputUsage {
    const total = estimateTokens(requestChars(req));
    const marks = breakpoints(req);
    const minimum = minimumCacheableTokens(req.model);
    const key = (b: Breakpoint): string => createHash('sha256').update(`${req.model}\u0000${b.prefix}`).digest('hex');
    const eligible = marks.filter((b) => b.tokens >= minimum);
    if (eligible.length === 0) return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    let read = 0;
    for (const b of eligible) {
      const expires = this.entries.get(key(b));
      if (expires !== undefined && expires > now && b.tokens > read) read = b.tokens;
    }
    const last = eligible[eligible.length - 1];
    const written = Math.max(0, last.tokens - read);
    // A hit refreshes its entry; every eligible prefix of this request is cached from now on.
    for (const b of eligible) this.entries.set(key(b), now + b.ttlMs);
    this.prune(now);
    return { input_tokens: Math.max(0, total - last.tokens), cache_creation_input_tokens: written, cache_read_input_tokens: read };
  }

  /** Entries currently alive (for tests and the control API). */
  size(now: number): number {
    this.prune(now);
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private prune(now: number): void {
    for (const [k, expires] of this.entries) if (expires <= now) this.entries.delete(k);
  }
}
