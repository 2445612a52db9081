import { z } from 'zod';
import { defineTool, ToolError } from '@butlers/framework';
import { rowId, text, timestamp } from '../../_lib/fields.ts';
import { resolveOne } from '../../_lib/lookup.ts';
import { given, plainRow } from '../../_lib/rows.ts';

export default defineTool({
  name: 'reminder_set',
  description: [
    'Schedule a reminder for the owner, optionally linked to one of their contacts, and return the stored reminder (status pending).',
    'A contact_name that matches no single contact is not an error: the reminder is stored unlinked and the result says why.',
    '',
    "Use when: remind me to, don't let me forget to, set a reminder, follow up with.",
  ].join('\n'),
  input: {
    message: text('What to remind the owner of, as a short sentence'),
    due_at: timestamp('When the reminder is due (ISO 8601 date-time)'),
    contact_id: rowId('Id of the contact the reminder is about, from an earlier result').optional(),
    contact_name: z.string().describe('Name of the person the reminder is about, if any').optional(),
  },
  async handler(args, ctx) {
    let contactId: string | null = null;
    let contactWarning: string | undefined;
    const lookup = { db: ctx.db, table: 'contacts', noun: 'contact', idArg: 'contact_id', nameArg: 'contact_name' };
    if (given(args.contact_id)) {
      contactId = await resolveOne({ ...lookup, id: args.contact_id, name: args.contact_name });
    } else if (given(args.contact_name)) {
      try {
        contactId = await resolveOne({ ...lookup, name: args.contact_name, partial: true });
      } catch (error) {
        if (!(error instanceof ToolError) || !['not_found', 'ambiguous_name'].includes(error.code)) throw error;
        contactWarning = `${error.message}; the reminder is not linked to a contact`;
      }
    }
    const { rows } = await ctx.db.query(
      `with inserted as (
         insert into reminders (contact_id, message, due_at, status, session_id)
         values ($1, $2, $3::timestamptz, 'pending', $4)
         returning *)
       select inserted.*, contacts.name as contact_name
         from inserted left join contacts on contacts.id = inserted.contact_id`,
      [contactId, args.message, args.due_at, ctx.sessionId],
    );
    const row = plainRow(rows[0]);
    return contactWarning ? { ...row, contact_warning: contactWarning } : row;
  },
});
