import { z } from 'zod';
import { day, defineTool, plainRow, text, textOrNull, withExamples } from '@butlers/framework';

export default defineTool({
  name: 'harvest_log',
  description: [
    'Record a harvest from the garden: what was picked and how much, and return the stored row.',
    'One call per crop.',
    '',
    'Use when: harvested, picked, dug up, gathered, pulled, collected from the garden, got a crop of.',
  ].join('\n'),
  input: {
    crop: withExamples(text('What was harvested'), ['tomatoes', 'potatoes', 'strawberries', 'courgettes']),
    quantity: z.number().min(0).describe('How much was harvested, as a number'),
    unit: withExamples(text('Unit of the quantity'), ['kg', 'g', 'pieces', 'bunches', 'bowls']),
    harvested_on: day('The day it was harvested (YYYY-MM-DD); defaults to today').optional(),
    notes: z.string().describe('Free-text details, such as the quality or where it came from').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into harvests (crop, quantity, unit, harvested_on, notes, session_id)
       values ($1, $2, $3, coalesce($4::date, current_date), $5, $6)
       returning id, crop, quantity, unit, harvested_on::text as harvested_on, notes, session_id, created_at`,
      [args.crop, args.quantity, args.unit, args.harvested_on ?? null, textOrNull(args.notes), ctx.sessionId],
    );
    return plainRow(rows[0], ['quantity']);
  },
});
