import { z } from 'zod';
import type { ModuleDef } from '../../core/modules/types.ts';

/**
 * Periodic digest over the email module. It has no tools of its own (docs/ecosystem.md §7);
 * it exists so a butler can depend on email being usable, and degrades with
 * phase `dependency` when email is not active.
 */
export const emailDigestModule: ModuleDef = {
  name: 'email_digest',
  dependsOn: ['email'],
  credentials: [],
  config: {
    send_hour_utc: z.number().int().min(0).max(23).optional(),
  },
  tools: () => [],
};
