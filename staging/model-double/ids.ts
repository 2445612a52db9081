// Deterministic identifiers: the same request always yields the same ids.
import { createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A base62 digest of `parts`, `length` characters long. */
export function digest(parts: string[], length = 24): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest();
  let out = '';
  for (let i = 0; out.length < length; i += 1) out += ALPHABET[bytes[i % bytes.length] % 62];
  return out;
}

export const messageId = (body: string): string => `msg_${digest(['message', body])}`;

export const toolUseId = (...parts: string[]): string => `toolu_${digest(['tool_use', ...parts])}`;
