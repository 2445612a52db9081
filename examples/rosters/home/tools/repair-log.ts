import { z } from 'zod';
import { day, defineTool, plainRow, text, textOrNull, withExamples } from '@butlers/framework';
import { currency } from '../lib/fields.ts';

export const WORK_KINDS = ['repair', 'service', 'installation', 'replacement', 'inspection'] as const;

export default defineTool({
  name: 'repair_log',
  description: [
    'Record work done on the home (a repair, a service, an installation, a replacement or an inspection), who did it and what it cost, and return the stored row.',
    'One call per item worked on.',
    '',
    'Use when: fixed, repaired, got repaired, serviced, installed, replaced, had someone in, came to fix, inspected.',
    'Kinds: repair, service, installation, replacement, inspection.',
  ].join('\n'),
  input: {
    item: withExamples(text('What was worked on'), ['kitchen tap', 'boiler', 'roof', 'front door lock']),
    kind: z.enum(WORK_KINDS).describe('What kind of work it was').default('repair'),
    contractor: z.string().describe('Who did the work, a person or a company; leave out when the owner did it').optional(),
    cost: z.number().min(0).describe('What the work cost, as a number').optional(),
    currency: currency('Currency of the cost').optional(),
    room: withExamples(z.string().describe('The room or part of the home'), ['kitchen', 'bathroom', 'loft', 'garage']).optional(),
    done_on: day('The day the work was done (YYYY-MM-DD); defaults to today').optional(),
    notes: z.string().describe('Free-text details, such as what was wrong or the invoice number').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into repairs (item, kind, contractor, cost, currency, room, done_on, notes, session_id)
       values ($1, $2, $3, $4, $5, $6, coalesce($7::date, current_date), $8, $9)
       returning id, item, kind, contractor, cost, currency, room, done_on::text as done_on, notes, session_id, created_at`,
      [args.item, args.kind, textOrNull(args.contractor), args.cost ?? null, textOrNull(args.currency)?.toUpperCase() ?? null, textOrNull(args.room), args.done_on ?? null, textOrNull(args.notes), ctx.sessionId],
    );
    return plainRow(rows[0], ['cost']);
  },
});
