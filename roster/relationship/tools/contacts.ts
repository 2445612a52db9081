import { z } from 'zod';
import { defineTool, ToolError } from '@butlers/framework';
import { rowId, text } from '../../_lib/fields.ts';
import { resolveOne } from '../../_lib/lookup.ts';
import { plainRow, textOrNull } from '../../_lib/rows.ts';

// DATE comes back as text so a birthday never shifts with the server's time zone.
const CONTACT_COLUMNS = 'id, name, email, phone, birthday::text as birthday, notes, session_id, created_at, updated_at';

const contactAdd = defineTool({
  name: 'contact_add',
  description: [
    "Add a person to the owner's contacts and return the stored contact.",
    'Only the name is required; include email, phone, birthday or notes when the owner gives them.',
    '',
    'Use when: add a contact, new contact, add a friend, add a family member, keep the details of someone I met.',
  ].join('\n'),
  input: {
    name: text("The person's full name (first and last name when known)"),
    email: z.string().describe("The person's email address").optional(),
    phone: z.string().describe("The person's phone number").optional(),
    birthday: z.string().date().describe("The person's birthday (YYYY-MM-DD)").optional(),
    notes: z.string().describe('Anything worth remembering about the person, such as how the owner knows them').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into contacts (name, email, phone, birthday, notes, session_id)
       values ($1, $2, $3, $4::date, $5, $6)
       returning ${CONTACT_COLUMNS}`,
      [args.name, textOrNull(args.email), textOrNull(args.phone), args.birthday ?? null, textOrNull(args.notes), ctx.sessionId],
    );
    return plainRow(rows[0]);
  },
});

const contactDelete = defineTool({
  name: 'contact_delete',
  description: [
    'Delete one contact together with their interactions and reminders, and return the deleted contact.',
    'Name the contact exactly as stored (case-insensitive; it must match exactly one contact) or give contact_id.',
    "Needs the owner's approval before it runs.",
    '',
    'Use when: delete a contact, remove a contact, remove someone from my contacts.',
  ].join('\n'),
  input: {
    contact_id: rowId('Id of the contact, from an earlier result; give this or name').optional(),
    name: z.string().describe("The contact's full name as stored; give this or contact_id").optional(),
  },
  async handler(args, ctx) {
    const id = await resolveOne({
      db: ctx.db,
      table: 'contacts',
      noun: 'contact',
      id: args.contact_id,
      name: args.name,
      idArg: 'contact_id',
      nameArg: 'name',
    });
    const { rows } = await ctx.db.query(`delete from contacts where id = $1 returning ${CONTACT_COLUMNS}`, [id]);
    if (rows.length === 0) throw new ToolError('not_found', `contact ${id} was already deleted`, { contact_id: id });
    return { deleted: true, contact: plainRow(rows[0]) };
  },
});

export default [contactAdd, contactDelete];
