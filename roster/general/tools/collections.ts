import { z } from 'zod';
import { defineTool, ToolError, withExamples } from '@butlers/framework';
import { text } from '../../_lib/fields.ts';
import { plainRow, textOrNull } from '../../_lib/rows.ts';

const collectionCreate = defineTool({
  name: 'collection_create',
  description: [
    'Create a named collection for grouping entries (a shopping list, books to read, recipes, ideas) and return it.',
    'Names are unique: an existing name fails with collection_exists. entity_create also creates collections on first use.',
    '',
    'Use when: create a list, start a new list, make a collection for, start keeping track of.',
  ].join('\n'),
  input: {
    name: withExamples(text('Short name of the collection'), ['shopping', 'books', 'recipes', 'ideas']),
    description: z.string().describe('What the collection is for').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into collections (name, description, session_id) values ($1, $2, $3)
       on conflict (name) do nothing
       returning *`,
      [args.name, textOrNull(args.description), ctx.sessionId],
    );
    if (rows.length === 0) {
      const existing = await ctx.db.query('select * from collections where name = $1', [args.name]);
      throw new ToolError('collection_exists', `a collection named "${args.name}" already exists; add entries to it with entity_create`, {
        collection: existing.rows[0] ? plainRow(existing.rows[0]) : { name: args.name },
      });
    }
    return plainRow(rows[0]);
  },
});

const collectionList = defineTool({
  name: 'collection_list',
  description: [
    'List every collection with its description and how many entries it holds, sorted by name.',
    '',
    'Use when: what lists do I have, show my collections, which lists exist.',
  ].join('\n'),
  input: {},
  async handler(_args, ctx) {
    const { rows } = await ctx.db.query(
      `select c.*, count(e.id)::int as entity_count
         from collections c left join entities e on e.collection_id = c.id
        group by c.id
        order by c.name`,
    );
    return { collections: rows.map((r) => plainRow(r)) };
  },
});

export default [collectionCreate, collectionList];
