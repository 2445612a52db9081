import { z } from 'zod';
import { defineTool, withExamples } from '@butlers/framework';
import { text, timestamp } from '../../_lib/fields.ts';
import { plainRow, textOrNull } from '../../_lib/rows.ts';

export default defineTool({
  name: 'measurement_log',
  description: [
    "Record one body measurement (a number with its unit) in the owner's health log and return the stored row.",
    'Log each measurement in a message with its own call. For blood pressure use type blood_pressure,',
    'the systolic number as value and the whole reading (for example 120/80) in notes.',
    '',
    'Use when: log my weight, record a measurement, I weigh, my blood pressure is, my heart rate was, my temperature is.',
    'Kinds: weight, blood pressure, heart rate, temperature.',
  ].join('\n'),
  input: {
    type: withExamples(text('What was measured, as a short snake_case kind'), [
      'weight',
      'blood_pressure',
      'heart_rate',
      'temperature',
    ]),
    value: z.number().describe('The measured number (for blood pressure, the systolic value)'),
    unit: withExamples(z.string().describe('Unit of the value'), ['kg', 'lb', 'mmHg', 'bpm', '°C']).optional(),
    notes: z.string().describe('Free-text context, such as the full blood pressure reading or "after breakfast"').optional(),
    measured_at: timestamp('When it was measured (ISO 8601 date-time); defaults to now').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into measurements (type, value, unit, notes, measured_at, session_id)
       values ($1, $2, $3, $4, coalesce($5::timestamptz, now()), $6)
       returning *`,
      [args.type, args.value, textOrNull(args.unit), textOrNull(args.notes), args.measured_at ?? null, ctx.sessionId],
    );
    return plainRow(rows[0], ['value']);
  },
});
