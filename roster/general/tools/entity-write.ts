import { z } from 'zod';
import { defineTool, ToolError, withExamples } from '@butlers/framework';
import { rowId, text } from '../../_lib/fields.ts';
import { plainRow } from '../../_lib/rows.ts';
import { cleanTags, ENTITY_SELECT, entityById } from '../lib/entity-rows.ts';

const data = z.record(z.unknown()).describe('Structured details as a JSON object, e.g. {"author": "…", "quantity": 2}');
const tags = z.array(z.string()).describe('Short labels for finding the entry later');

const entityCreate = defineTool({
  name: 'entity_create',
  description: [
    'Add an entry (an item, a note or a record) to a collection, creating the collection on first use, and return the stored entry.',
    '',
    'Use when: add to my list, put on the list, note down, jot down, keep track of, add an idea.',
    'Kinds: list items, notes, books, recipes, ideas, links.',
  ].join('\n'),
  input: {
    collection: withExamples(text('Name of the collection the entry belongs to'), ['shopping', 'books', 'recipes', 'ideas']),
    title: text('Short title of the entry'),
    data: data.optional(),
    tags: tags.optional(),
  },
  async handler(args, ctx) {
    const client = await ctx.db.connect();
    try {
      await client.query('begin');
      // An existing collection matches case-insensitively ("Shopping" is "shopping");
      // the upsert keeps concurrent first uses of one name from failing.
      const coll = await client.query<{ id: string }>(
        `with found as (
           select id from collections where lower(name) = lower($1) order by created_at limit 1),
         created as (
           insert into collections (name, session_id)
           select $1, $2 where not exists (select 1 from found)
           on conflict (name) do update set name = excluded.name
           returning id)
         select id from found union all select id from created`,
        [args.collection, ctx.sessionId],
      );
      const ins = await client.query<{ id: string }>(
        `insert into entities (collection_id, title, data, tags, session_id)
         values ($1, $2, $3::jsonb, $4::text[], $5) returning id`,
        [coll.rows[0].id, args.title, JSON.stringify(args.data ?? {}), cleanTags(args.tags) ?? [], ctx.sessionId],
      );
      const { rows } = await client.query(`${ENTITY_SELECT} where e.id = $1`, [ins.rows[0].id]);
      await client.query('commit');
      return plainRow(rows[0]);
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  },
});

const entityUpdate = defineTool({
  name: 'entity_update',
  description: [
    "Change an entry: set a new title, merge keys into its data (a key set to null is kept as null), or replace its tags. Returns the updated entry.",
    '',
    'Use when: update the entry, change the item, rename the entry, mark it as done, add a detail to.',
  ].join('\n'),
  input: {
    id: rowId('Id of the entry, from an earlier result'),
    title: text('New title').optional(),
    data: data.describe('Keys to merge into the stored data').optional(),
    tags: tags.describe('New tags, replacing the old ones').optional(),
  },
  async handler(args, ctx) {
    if (args.title === undefined && args.data === undefined && args.tags === undefined) {
      throw new ToolError('invalid_arguments', 'nothing to update: give at least one of title, data or tags');
    }
    const { rowCount } = await ctx.db.query(
      `update entities
          set title = coalesce($2, title),
              data = case when $3::jsonb is null then data else data || $3::jsonb end,
              tags = coalesce($4::text[], tags),
              session_id = coalesce($5::uuid, session_id),
              updated_at = now()
        where id = $1`,
      [args.id, args.title ?? null, args.data === undefined ? null : JSON.stringify(args.data), cleanTags(args.tags), ctx.sessionId],
    );
    if (rowCount === 0) throw new ToolError('not_found', `no entry with id ${args.id}`, { id: args.id });
    return entityById(ctx.db, args.id);
  },
});

const entityDelete = defineTool({
  name: 'entity_delete',
  description: [
    'Delete one entry by id and return the deleted entry.',
    '',
    'Use when: remove from my list, delete the entry, cross it off, I no longer need.',
  ].join('\n'),
  input: {
    id: rowId('Id of the entry, from an earlier result'),
  },
  async handler(args, ctx) {
    const before = await entityById(ctx.db, args.id);
    await ctx.db.query('delete from entities where id = $1', [args.id]);
    return { deleted: true, entity: before };
  },
});

export default [entityCreate, entityUpdate, entityDelete];
