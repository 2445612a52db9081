import { z } from 'zod';
import { defineTool, ToolError } from '../../core/tool.ts';
import type { ModuleDef } from '../../core/modules/types.ts';

const TOKEN = 'BUTLER_TELEGRAM_TOKEN';

/** Telegram Bot API delivery (docs/ecosystem.md §9): needs a bot token, nothing else. */
export const telegramModule: ModuleDef = {
  name: 'telegram',
  dependsOn: [],
  credentials: [{ env: TOKEN, pattern: /^\d+:\S{35,}$/, format: '<digits>:<35+ chars>' }],
  config: {
    api_base_url: z.string().url().optional(),
  },
  tools: (mod) => {
    const base = String(mod.config.api_base_url ?? 'https://api.telegram.org');
    const token = mod.credentials[TOKEN];
    return [
      defineTool({
        name: 'telegram_send',
        module: 'telegram',
        description:
          'Send a Telegram text message from the butler\'s bot to a chat.\n' +
          'Use when: send a Telegram message; message someone on Telegram; deliver a notification via Telegram.',
        input: {
          chat_id: z.string().min(1).describe('Telegram chat id or @channel username to send to'),
          text: z.string().min(1).max(4096).describe('Message text'),
        },
        handler: async (args, ctx) => {
          let res: Response;
          try {
            // The token is part of the URL by Bot API design; it never leaves this function.
            res = await fetch(`${base}/bot${token}/sendMessage`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ chat_id: args.chat_id, text: args.text }),
              signal: ctx.signal,
            });
          } catch (err) {
            throw new ToolError('telegram_unreachable', `Telegram Bot API unreachable: ${(err as Error).message}`);
          }
          const body = (await res.json().catch(() => ({}))) as { ok?: boolean; description?: string; result?: { message_id?: number } };
          if (!res.ok || !body.ok) {
            throw new ToolError('telegram_error', `Telegram rejected the message (HTTP ${res.status}): ${body.description ?? 'no description'}`);
          }
          return { sent: true, chat_id: args.chat_id, message_id: body.result?.message_id ?? null };
        },
      }),
    ];
  },
};
