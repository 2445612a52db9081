import type { Pool } from 'pg';
import { z } from 'zod';
import { defineTool, ToolError } from '../../core/tool.ts';
import type { ModuleDef } from '../../core/modules/types.ts';
import { forgetMemory, recallMemories, storeMemory } from './store.ts';

export { recallMemories } from './store.ts';

/** Long-term memory with local deterministic embeddings; needs the pgvector extension (docs/ecosystem.md §9). */
export const memoryModule: ModuleDef = {
  name: 'memory',
  dependsOn: [],
  credentials: [],
  config: {
    recall_limit: z.number().int().min(1).max(50).optional(),
  },
  startup: async ({ db }) => {
    const ext = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
    if (ext.rowCount === 0) {
      throw new Error(
        `the pgvector extension "vector" is not installed in database ${await currentDb(db)}; ` +
          'an administrator must run CREATE EXTENSION vector there (the butler role cannot)',
      );
    }
    const table = await db.query(`SELECT to_regclass('memories') AS t`);
    if (!table.rows[0]?.t) {
      throw new Error(
        'table memories is missing although vector is installed: the extension was added after migration ' +
          "module:memory 001 ran; delete that row from schema_migrations (chain 'module:memory') and restart",
      );
    }
  },
  tools: (mod) => {
    const defaultLimit = Number(mod.config.recall_limit ?? 5);
    return [
      defineTool({
        name: 'memory_store',
        module: 'memory',
        description:
          'Store a fact or note in long-term memory so it can be recalled later by meaning.\n' +
          'Use when: remember this; keep in mind; note for later.',
        input: {
          content: z.string().min(1).describe('What to remember, as a plain sentence'),
          kind: z.string().min(1).optional().describe('Kind of memory, e.g. fact, preference, event'),
          tags: z.array(z.string().min(1)).optional().describe('Short labels for the memory'),
        },
        handler: async (args, ctx) => storeMemory(ctx.db, { ...args, sessionId: ctx.sessionId }),
      }),
      defineTool({
        name: 'memory_recall',
        module: 'memory',
        description:
          'Recall the stored memories closest in meaning to a query, best first.\n' +
          'Use when: what do you remember about; recall; have I mentioned.',
        input: {
          query: z.string().min(1).describe('What to look for'),
          limit: z.number().int().min(1).max(50).default(defaultLimit).describe('Maximum number of memories'),
        },
        handler: async (args, ctx) => ({ memories: await recallMemories(ctx.db, args.query, args.limit) }),
      }),
      defineTool({
        name: 'memory_forget',
        module: 'memory',
        description: 'Delete one stored memory by id.\nUse when: forget this; delete that memory.',
        input: { memory_id: z.string().uuid().describe('Id of the memory to delete') },
        handler: async (args, ctx) => {
          if (!(await forgetMemory(ctx.db, args.memory_id))) {
            throw new ToolError('memory_not_found', `No memory with id ${args.memory_id}`);
          }
          return { memory_id: args.memory_id, deleted: true };
        },
      }),
    ];
  },
};

async function currentDb(db: Pool): Promise<string> {
  const { rows } = await db.query<{ d: string }>('SELECT current_database() AS d');
  return rows[0]?.d ?? '(unknown)';
}
