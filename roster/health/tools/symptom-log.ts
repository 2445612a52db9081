import { z } from 'zod';
import { defineTool, ToolError, withExamples } from '@butlers/framework';
import { text, timestamp } from '../../_lib/fields.ts';
import { plainRow, textOrNull } from '../../_lib/rows.ts';

export default defineTool({
  name: 'symptom_log',
  description: [
    'Record a symptom the owner has or had, with an optional severity, and return the stored row.',
    '',
    "Use when: I have, I feel, I've got, symptom, it hurts, I'm suffering from.",
    'Kinds: headache, pain, nausea, fever, fatigue.',
  ].join('\n'),
  input: {
    name: withExamples(text('The symptom, as a short name'), ['headache', 'pain', 'nausea', 'fever', 'fatigue']),
    severity: z
      .number()
      .int()
      .min(0)
      .max(10)
      .describe('How bad it is, from 1 (barely noticeable) to 10 (worst imaginable); leave out when not stated')
      .optional(),
    notes: z.string().describe('Free-text details, such as where it hurts or what helped').optional(),
    occurred_at: timestamp('When it happened (ISO 8601 date-time); defaults to now').optional(),
  },
  async handler(args, ctx) {
    // The schema admits 0 (a common "none" answer) but the table records 1..10.
    if (args.severity !== undefined && (args.severity < 1 || args.severity > 10)) {
      throw new ToolError(
        'invalid_severity',
        `severity must be an integer from 1 to 10, got ${args.severity}; leave it out when the symptom has no severity`,
        { severity: args.severity },
      );
    }
    const { rows } = await ctx.db.query(
      `insert into symptoms (name, severity, notes, occurred_at, session_id)
       values ($1, $2, $3, coalesce($4::timestamptz, now()), $5)
       returning *`,
      [args.name, args.severity ?? null, textOrNull(args.notes), args.occurred_at ?? null, ctx.sessionId],
    );
    return plainRow(rows[0]);
  },
});
