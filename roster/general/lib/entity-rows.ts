import type { Pool } from 'pg';
import { ToolError } from '@butlers/framework';
import { plainRow } from '../../_lib/rows.ts';

/** Entity columns plus the collection's name, as every entity tool returns them. */
export const ENTITY_SELECT = `select e.id, e.collection_id, c.name as collection, e.title, e.data, e.tags,
       e.session_id, e.created_at, e.updated_at
  from entities e join collections c on c.id = e.collection_id`;

/** One entity by id, or `not_found`. */
export async function entityById(db: Pool, id: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query(`${ENTITY_SELECT} where e.id = $1`, [id]);
  if (rows.length === 0) throw new ToolError('not_found', `no entry with id ${id}`, { id });
  return plainRow(rows[0]);
}

/** Tags trimmed, blanks dropped, duplicates removed, order kept. */
export function cleanTags(tags: string[] | undefined): string[] | null {
  if (tags === undefined) return null;
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
}
