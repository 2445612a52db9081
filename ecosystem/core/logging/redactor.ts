/** Replaces secret values and sensitive arguments by `***` before anything is written. */
export interface Redactor {
  /** Deep copy of `value` with every known secret value replaced by `***` (inside strings too). */
  redact<T>(value: T): T;
  /** Copy of `args` with the named sensitive keys set to `***` (when present), then secret-redacted. */
  redactArgs(args: unknown, sensitive?: readonly string[]): unknown;
  /** Adds more secret values (e.g. a credential read after startup). */
  addSecrets(values: Iterable<string | undefined>): void;
}

export const MASK = '***';
// Shorter values would mask ordinary words ("1", "on") all over the logs.
const MIN_SECRET_LENGTH = 4;

export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = new Set<string>();
  let ordered: string[] = [];

  const addSecrets = (values: Iterable<string | undefined>): void => {
    for (const v of values) if (typeof v === 'string' && v.length >= MIN_SECRET_LENGTH) known.add(v);
    // Longest first so a secret containing another is masked whole.
    ordered = [...known].sort((a, b) => b.length - a.length);
  };

  const scrubString = (s: string): string => {
    let out = s;
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  };

  const walk = (value: unknown, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return ordered.length ? scrubString(value) : value;
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => walk(v, seen));
    if (value instanceof Error) {
      const copy: Record<string, unknown> = { type: value.name, message: walk(value.message, seen) };
      if (value.stack) copy.stack = walk(value.stack, seen);
      const code = (value as { code?: unknown }).code;
      if (code !== undefined) copy.code = code;
      return copy;
    }
    if (value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, seen);
    return out;
  };

  addSecrets(secrets);
  return {
    redact: <T>(value: T): T => walk(value, new WeakSet()) as T,
    redactArgs(args, sensitive = []) {
      if (args === null || typeof args !== 'object' || Array.isArray(args)) return walk(args, new WeakSet());
      const copy: Record<string, unknown> = { ...(args as Record<string, unknown>) };
      for (const key of sensitive) if (key in copy && copy[key] !== undefined) copy[key] = MASK;
      return walk(copy, new WeakSet());
    },
    addSecrets,
  };
}
