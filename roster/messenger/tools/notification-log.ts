import { z } from 'zod';
import { defineTool } from '@butlers/framework';
import { rowId, text } from '../../_lib/fields.ts';
import { given, plainRow, textOrNull } from '../../_lib/rows.ts';

export default defineTool({
  name: 'notification_log',
  description: [
    'Queue a notification on Telegram or email and return the queued row.',
    'Without a recipient it goes to the owner; naming any other recipient needs the owner\'s approval first.',
    'The channel module delivers queued rows later and marks them sent or failed.',
    '',
    'Use when: notify me, send me a notification, send me a message, message me, alert me, let me know, email me.',
  ].join('\n'),
  input: {
    channel: z.enum(['telegram', 'email']).describe('Where to deliver it: telegram or email'),
    body: text('The text of the notification'),
    recipient: z
      .string()
      .describe('Who to deliver it to when it is not the owner: an email address or a Telegram handle (optional)')
      .optional(),
    subject: z.string().describe('Subject line, used by email').optional(),
    request_id: rowId("The ingest request this notification answers; defaults to the calling session's request").optional(),
  },
  sensitive: ['recipient'],
  async handler(args, ctx) {
    let requestId: string | null = given(args.request_id) ? args.request_id : null;
    if (requestId === null && ctx.sessionId) {
      const { rows } = await ctx.db.query<{ request_id: string | null }>(
        'select request_id from sessions where session_id = $1',
        [ctx.sessionId],
      );
      requestId = rows[0]?.request_id ?? null;
    }
    const { rows } = await ctx.db.query(
      `insert into notification_log (request_id, channel, recipient, subject, body, status, session_id)
       values ($1, $2, $3, $4, $5, 'queued', $6)
       returning *`,
      [requestId, args.channel, textOrNull(args.recipient), textOrNull(args.subject), args.body, ctx.sessionId],
    );
    return plainRow(rows[0]);
  },
});
