import { z } from 'zod';
import { defineTool, ToolError } from '../../core/tool.ts';
import type { ModuleDef } from '../../core/modules/types.ts';
import { sendSmtp } from './smtp.ts';

const ADDRESS = 'EMAIL_ADDRESS';
const PASSWORD = 'EMAIL_PASSWORD';

/** Outbound email over SMTP (docs/ecosystem.md §9). */
export const emailModule: ModuleDef = {
  name: 'email',
  dependsOn: [],
  credentials: [
    { env: ADDRESS, pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, format: 'an email address (user@example.com)' },
    { env: PASSWORD },
  ],
  config: {
    smtp_host: z.string().min(1).optional(),
    smtp_port: z.number().int().min(1).max(65535).optional(),
  },
  tools: (mod) => {
    const address = mod.credentials[ADDRESS];
    const host = String(mod.config.smtp_host ?? `smtp.${address.split('@')[1]}`);
    const port = Number(mod.config.smtp_port ?? 465);
    return [
      defineTool({
        name: 'email_send',
        module: 'email',
        description:
          'Send a plain-text email from the butler\'s mailbox.\n' +
          'Use when: send an email; email someone; deliver a notification by email.',
        input: {
          recipient: z.string().email().describe('Recipient email address'),
          subject: z.string().max(300).describe('Subject line'),
          body: z.string().min(1).describe('Plain-text message body'),
        },
        sensitive: ['recipient', 'body'],
        handler: async (args) => {
          try {
            const { response } = await sendSmtp({
              host, port, user: address, password: mod.credentials[PASSWORD],
              from: address, to: args.recipient, subject: args.subject, body: args.body,
            });
            return { sent: true, subject: args.subject, smtp_response: response.trim() };
          } catch (err) {
            throw new ToolError('email_send_failed', `Email delivery via ${host}:${port} failed: ${(err as Error).message}`);
          }
        },
      }),
    ];
  },
};
