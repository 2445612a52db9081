import type { ModuleDef } from '../core/modules/types.ts';
import { calendarModule } from './calendar/index.ts';
import { emailDigestModule } from './email_digest/index.ts';
import { emailModule } from './email/index.ts';
import { memoryModule } from './memory/index.ts';
import { telegramModule } from './telegram/index.ts';

/** Every module a butler may enable under `[modules.<name>]`, by name. */
export const allModules: ReadonlyMap<string, ModuleDef> = new Map(
  [telegramModule, emailModule, calendarModule, memoryModule, emailDigestModule].map((m) => [m.name, m]),
);
