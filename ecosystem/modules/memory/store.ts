import type { Pool } from 'pg';
import { embed, toVectorLiteral } from './embedding.ts';

/** A stored memory as tools return it. */
export interface MemoryRow {
  id: string;
  content: string;
  kind: string | null;
  tags: string[];
  session_id: string | null;
  created_at: string;
  score?: number;
}

const COLUMNS = 'id, content, kind, tags, session_id, created_at';

export async function storeMemory(
  db: Pool,
  m: { content: string; kind?: string; tags?: string[]; sessionId: string | null },
): Promise<MemoryRow> {
  const { rows } = await db.query<MemoryRow>(
    `INSERT INTO memories (content, kind, tags, embedding, session_id)
     VALUES ($1, $2, $3, $4::vector, $5) RETURNING ${COLUMNS}`,
    [m.content, m.kind ?? null, m.tags ?? [], toVectorLiteral(embed(m.content)), m.sessionId],
  );
  return rows[0];
}

/** Nearest memories by cosine distance; `score` is cosine similarity (1 = identical direction). */
export async function recallMemories(db: Pool, query: string, limit = 5): Promise<MemoryRow[]> {
  const { rows } = await db.query<MemoryRow>(
    `SELECT ${COLUMNS}, 1 - (embedding <=> $1::vector) AS score
       FROM memories ORDER BY embedding <=> $1::vector, created_at DESC LIMIT $2`,
    [toVectorLiteral(embed(query)), limit],
  );
  return rows.map((r) => ({ ...r, score: Number(Number(r.score).toFixed(4)) }));
}

export async function forgetMemory(db: Pool, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM memories WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}
