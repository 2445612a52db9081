/** Dimension of the stored embeddings (`memories.embedding vector(256)`). */
export const EMBEDDING_DIM = 256;

/**
 * Deterministic local embedding (the hashing trick): words and their
 * character trigrams are hashed into 256 signed buckets, then L2-normalised.
 * No network and no model, so recall is reproducible in every run.
 */
export function embed(text: string): number[] {
  const v = new Array<number>(EMBEDDING_DIM).fill(0);
  const words = text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    add(v, `w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(v, `t:${padded.slice(i, i + 3)}`, 0.35);
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  // A zero vector has no cosine distance in pgvector; give empty text a fixed direction.
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  return v.map((x) => Number((x / norm).toFixed(6)));
}

/** pgvector text literal, e.g. `[0.1,0,-0.2]`. */
export function toVectorLiteral(v: number[]): string {
  return `[${v.join(',')}]`;
}

function add(v: number[], token: string, weight: number): void {
  const h = fnv1a(token);
  v[h % EMBEDDING_DIM] += (h >>> 16) & 1 ? weight : -weight;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
