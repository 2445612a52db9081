import { z } from 'zod';
import { defineTool } from '@butlers/framework';
import { rowId, timestamp } from '../../_lib/fields.ts';
import { resolveOne } from '../../_lib/lookup.ts';
import { plainRow, textOrNull } from '../../_lib/rows.ts';

export const INTERACTION_KINDS = ['call', 'meeting', 'message', 'gift', 'other'] as const;

export default defineTool({
  name: 'interaction_log',
  description: [
    'Record an interaction the owner had with one of their contacts and return the stored row.',
    'The contact must already exist (add them with contact_add first); name them or give contact_id.',
    '',
    'Use when: met, called, talked to, had lunch with, messaged, texted, gave a gift to, caught up with.',
    'Kinds: call, meeting, message, gift, other.',
  ].join('\n'),
  input: {
    contact_id: rowId('Id of the contact, from an earlier result; give this or contact_name').optional(),
    contact_name: z.string().describe("The person's name as saved in the contacts; give this or contact_id").optional(),
    kind: z
      .enum(INTERACTION_KINDS)
      .describe('What kind of interaction it was: call, meeting (in person), message (text or email), gift, or other')
      .default('other'),
    summary: z.string().describe('A short summary of what happened or was talked about').optional(),
    occurred_at: timestamp('When it happened (ISO 8601 date-time); defaults to now').optional(),
  },
  async handler(args, ctx) {
    const contactId = await resolveOne({
      db: ctx.db,
      table: 'contacts',
      noun: 'contact',
      id: args.contact_id,
      name: args.contact_name,
      idArg: 'contact_id',
      nameArg: 'contact_name',
      partial: true,
    });
    const { rows } = await ctx.db.query(
      `with inserted as (
         insert into interactions (contact_id, kind, summary, occurred_at, session_id)
         values ($1, $2, $3, coalesce($4::timestamptz, now()), $5)
         returning *)
       select inserted.*, contacts.name as contact_name
         from inserted join contacts on contacts.id = inserted.contact_id`,
      [contactId, args.kind, textOrNull(args.summary), args.occurred_at ?? null, ctx.sessionId],
    );
    return plainRow(rows[0]);
  },
});
