import { defineTool, ToolError, withExamples } from '@butlers/framework';
import { rowId, text, timestamp } from '../../_lib/fields.ts';
import { resolveOne } from '../../_lib/lookup.ts';
import { given, plainRow, textOrNull } from '../../_lib/rows.ts';
import { z } from 'zod';

const medicationAdd = defineTool({
  name: 'medication_add',
  description: [
    "Add a medication the owner has started taking or was prescribed to their health record as active, and return the stored row.",
    '',
    "Use when: started taking, I'm taking, I was prescribed, got prescribed, new medication, began a course of.",
  ].join('\n'),
  input: {
    name: text("The medication's name"),
    dosage: withExamples(z.string().describe('Amount per dose, with its unit'), ['500mg', '10 mg']).optional(),
    frequency: withExamples(z.string().describe('How often it is taken'), ['twice daily', 'every 8 hours']).optional(),
    notes: z.string().describe('Anything else worth keeping, such as who prescribed it or why').optional(),
    started_at: timestamp('When the owner started taking it (ISO 8601 date-time); defaults to now').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into medications (name, dosage, frequency, notes, status, started_at, session_id)
       values ($1, $2, $3, $4, 'active', coalesce($5::timestamptz, now()), $6)
       returning *`,
      [args.name, textOrNull(args.dosage), textOrNull(args.frequency), textOrNull(args.notes), args.started_at ?? null, ctx.sessionId],
    );
    return plainRow(rows[0]);
  },
});

const medicationStop = defineTool({
  name: 'medication_stop',
  description: [
    "Mark one of the owner's active medications as stopped, recording when and why, and return the updated row.",
    'Name the medication (matched case-insensitively against active medications) or give its medication_id.',
    'Needs the owner\'s approval before it runs.',
    '',
    'Use when: stop taking, stopped taking, no longer taking, quit a medication, discontinue a medication.',
  ].join('\n'),
  input: {
    medication_id: rowId('Id of the medication, from an earlier result; give this or name').optional(),
    name: z.string().describe("The medication's name; give this or medication_id").optional(),
    reason: z.string().describe('Why it was stopped').optional(),
  },
  async handler(args, ctx) {
    const lookup = { db: ctx.db, table: 'medications', noun: 'medication', idArg: 'medication_id', nameArg: 'name' };
    let id: string;
    if (given(args.medication_id)) {
      id = await resolveOne({ ...lookup, id: args.medication_id, name: args.name });
    } else {
      id = await resolveOne({ ...lookup, name: args.name, where: "status = 'active'", partial: true });
    }
    const { rows } = await ctx.db.query(
      `update medications
          set status = 'stopped', stopped_at = now(), stop_reason = $2,
              session_id = coalesce($3::uuid, session_id)
        where id = $1 and status = 'active'
        returning *`,
      [id, textOrNull(args.reason), ctx.sessionId],
    );
    if (rows.length === 0) {
      throw new ToolError('already_stopped', `medication ${id} is already stopped`, { medication_id: id });
    }
    return plainRow(rows[0]);
  },
});

export default [medicationAdd, medicationStop];
