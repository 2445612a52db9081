import { z } from 'zod';
import { day, defineTool, plainRow, textOrNull, withExamples } from '@butlers/framework';

export const UTILITIES = ['electricity', 'gas', 'water', 'heating_oil'] as const;

export default defineTool({
  name: 'meter_reading_log',
  description: [
    'Record one utility meter reading (electricity, gas, water or heating oil) exactly as the meter shows it, and return the stored row.',
    'Log each meter with its own call.',
    '',
    'Use when: meter reading, read the meter, the meter says, the meter shows, submitted a reading, oil tank level.',
    'Kinds: electricity, gas, water, heating oil.',
  ].join('\n'),
  input: {
    utility: z.enum(UTILITIES).describe('Which meter was read'),
    reading: z.number().min(0).describe('The number on the meter'),
    unit: withExamples(z.string().describe('Unit of the reading'), ['kWh', 'm³', 'litres']).optional(),
    read_on: day('The day the meter was read (YYYY-MM-DD); defaults to today').optional(),
    notes: z.string().describe('Free-text context, such as day and night rates or an estimated reading').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into meter_readings (utility, reading, unit, read_on, notes, session_id)
       values ($1, $2, $3, coalesce($4::date, current_date), $5, $6)
       returning id, utility, reading, unit, read_on::text as read_on, notes, session_id, created_at`,
      [args.utility, args.reading, textOrNull(args.unit), args.read_on ?? null, textOrNull(args.notes), ctx.sessionId],
    );
    return plainRow(rows[0], ['reading']);
  },
});
