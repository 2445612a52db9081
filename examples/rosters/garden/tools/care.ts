import { z } from 'zod';
import { day, defineTool, plainRow, text, textOrNull, withExamples } from '@butlers/framework';

const CARE_COLUMNS = 'id, kind, plant, litres, product, amount, unit, done_on::text as done_on, notes, session_id, created_at';

export const CARE_KINDS = ['fertilising', 'pruning', 'weeding', 'pest_control', 'repotting', 'mulching', 'other'] as const;

const wateringLog = defineTool({
  name: 'watering_log',
  description: [
    'Record that the owner watered a plant or an area of the garden, with how much water when given, and return the stored row.',
    'One call per plant or area.',
    '',
    'Use when: watered, gave water to, soaked, hosed, sprinkled, irrigated.',
  ].join('\n'),
  input: {
    plant: withExamples(text('The plant or area watered'), ['tomatoes', 'lawn', 'raised bed', 'house plants']),
    litres: z.number().min(0).describe('How much water was given, in litres').optional(),
    watered_on: day('The day it was watered (YYYY-MM-DD); defaults to today').optional(),
    notes: z.string().describe('Free-text context, such as the time of day or the state of the soil').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into care_events (kind, plant, litres, done_on, notes, session_id)
       values ('watering', $1, $2, coalesce($3::date, current_date), $4, $5)
       returning ${CARE_COLUMNS}`,
      [args.plant, args.litres ?? null, args.watered_on ?? null, textOrNull(args.notes), ctx.sessionId],
    );
    return plainRow(rows[0], ['litres', 'amount']);
  },
});

const careLog = defineTool({
  name: 'care_log',
  description: [
    'Record care other than watering that the owner gave a plant or an area: feeding, pruning, weeding, pest control, repotting or mulching, and return the stored row.',
    'Name the product used, with its amount and unit, when the owner says.',
    '',
    'Use when: fed, fertilised, pruned, cut back, weeded, sprayed, treated for pests, repotted, mulched.',
    'Kinds: fertilising, pruning, weeding, pest control, repotting, mulching.',
  ].join('\n'),
  input: {
    kind: z.enum(CARE_KINDS).describe('What kind of care it was'),
    plant: withExamples(text('The plant or area it was done to'), ['roses', 'apple tree', 'vegetable patch']),
    product: withExamples(z.string().describe('The product used, such as a fertiliser, a spray or a compost'), ['tomato feed', 'neem oil', 'bark mulch']).optional(),
    amount: z.number().min(0).describe('How much of the product was used').optional(),
    unit: withExamples(z.string().describe('Unit of the amount'), ['ml', 'g', 'kg', 'litres', 'bags']).optional(),
    done_on: day('The day it was done (YYYY-MM-DD); defaults to today').optional(),
    notes: z.string().describe('Free-text details, such as which pest or how hard it was pruned').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into care_events (kind, plant, product, amount, unit, done_on, notes, session_id)
       values ($1, $2, $3, $4, $5, coalesce($6::date, current_date), $7, $8)
       returning ${CARE_COLUMNS}`,
      [args.kind, args.plant, textOrNull(args.product), args.amount ?? null, textOrNull(args.unit), args.done_on ?? null, textOrNull(args.notes), ctx.sessionId],
    );
    return plainRow(rows[0], ['litres', 'amount']);
  },
});

export default [wateringLog, careLog];
