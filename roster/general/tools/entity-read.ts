import { z } from 'zod';
import { defineTool } from '@butlers/framework';
import { rowId } from '../../_lib/fields.ts';
import { given, plainRow } from '../../_lib/rows.ts';
import { ENTITY_SELECT, entityById } from '../lib/entity-rows.ts';

const entityGet = defineTool({
  name: 'entity_get',
  description: [
    'Fetch one entry by id, with the name of its collection, its data and tags.',
    '',
    'Use when: show the entry, open the item, get the details of an entry.',
  ].join('\n'),
  input: {
    id: rowId('Id of the entry, from an earlier result'),
  },
  async handler(args, ctx) {
    return entityById(ctx.db, args.id);
  },
});

const entitySearch = defineTool({
  name: 'entity_search',
  description: [
    'Find entries, newest first, filtered by collection, by text (matched case-insensitively in the title and the data) and by tag.',
    'With no filter it lists the most recent entries of every collection.',
    '',
    "Use when: what's on my list, show my list, find my notes about, search my collections, show items tagged.",
  ].join('\n'),
  input: {
    collection: z.string().describe('Only entries of this collection (exact name, case-insensitive)').optional(),
    query: z.string().describe('Text to look for in the title or the data').optional(),
    tag: z.string().describe('Only entries carrying this tag').optional(),
    limit: z.number().int().min(1).max(200).describe('Most entries to return').default(50),
  },
  async handler(args, ctx) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (given(args.collection)) {
      params.push(args.collection.trim());
      where.push(`lower(c.name) = lower($${params.length})`);
    }
    if (given(args.query)) {
      params.push(`%${args.query.trim().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      where.push(`(e.title ilike $${params.length} or e.data::text ilike $${params.length})`);
    }
    if (given(args.tag)) {
      params.push(args.tag.trim());
      where.push(`$${params.length} = any(e.tags)`);
    }
    params.push(args.limit);
    const sql = `${ENTITY_SELECT} ${where.length ? `where ${where.join(' and ')}` : ''}
      order by e.created_at desc, e.id limit $${params.length}`;
    const { rows } = await ctx.db.query(sql, params);
    return { entities: rows.map((r) => plainRow(r)), count: rows.length };
  },
});

export default [entityGet, entitySearch];
