import { z } from 'zod';
import { day, defineTool, plainRow, text, textOrNull, withExamples } from '@butlers/framework';

export default defineTool({
  name: 'plant_add',
  description: [
    "Add a plant the owner planted, sowed or bought to grow to the garden journal, and return the stored row.",
    'One call per kind of plant; give the variety, where it was planted and how many when the owner says.',
    '',
    'Use when: planted, sowed, put in, transplanted, bought a plant, new seedlings, started growing.',
  ].join('\n'),
  input: {
    name: withExamples(text("The plant's common name"), ['tomato', 'basil', 'apple tree', 'lavender']),
    variety: withExamples(z.string().describe('The variety or cultivar, when given'), ['San Marzano', 'Cox', 'Hidcote']).optional(),
    location: withExamples(z.string().describe('Where it was planted'), ['raised bed', 'greenhouse', 'balcony pot', 'front border']).optional(),
    quantity: z.number().int().min(1).describe('How many plants, seedlings or rows were planted').optional(),
    planted_on: day('The day it was planted (YYYY-MM-DD); defaults to today').optional(),
    notes: z.string().describe('Anything else worth keeping, such as where the seeds came from or the spacing').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into plants (name, variety, location, quantity, planted_on, notes, session_id)
       values ($1, $2, $3, $4, coalesce($5::date, current_date), $6, $7)
       returning id, name, variety, location, quantity, planted_on::text as planted_on, notes, session_id, created_at`,
      [args.name, textOrNull(args.variety), textOrNull(args.location), args.quantity ?? null, args.planted_on ?? null, textOrNull(args.notes), ctx.sessionId],
    );
    return plainRow(rows[0]);
  },
});
