import { z } from 'zod';
import { defineTool, ToolError } from '../../core/tool.ts';
import type { ModuleDef } from '../../core/modules/types.ts';
import { GoogleCalendar } from './google.ts';

const CLIENT_ID = 'GOOGLE_OAUTH_CLIENT_ID';
const CLIENT_SECRET = 'GOOGLE_OAUTH_CLIENT_SECRET';
const REFRESH_TOKEN = 'GOOGLE_OAUTH_REFRESH_TOKEN';

/** Google Calendar access for the owner's calendar (docs/ecosystem.md §9). */
export const calendarModule: ModuleDef = {
  name: 'calendar',
  dependsOn: [],
  credentials: [{ env: CLIENT_ID }, { env: CLIENT_SECRET }, { env: REFRESH_TOKEN }],
  config: {
    calendar_id: z.string().min(1).optional(),
  },
  tools: (mod) => {
    const calendar = new GoogleCalendar(
      { clientId: mod.credentials[CLIENT_ID], clientSecret: mod.credentials[CLIENT_SECRET], refreshToken: mod.credentials[REFRESH_TOKEN] },
      String(mod.config.calendar_id ?? 'primary'),
    );
    const when = z.string().datetime({ offset: true });
    return [
      defineTool({
        name: 'calendar_list_events',
        module: 'calendar',
        description:
          'List the owner\'s calendar events between two instants.\n' +
          'Use when: what is on my calendar; am I free; list my appointments or meetings.',
        input: {
          from: when.describe('Start of the window (ISO 8601 date-time)'),
          to: when.describe('End of the window (ISO 8601 date-time)'),
        },
        handler: async (args, ctx) => {
          if (Date.parse(args.to) <= Date.parse(args.from)) throw new ToolError('invalid_range', '`to` must be after `from`');
          return { events: await calendar.listEvents(args.from, args.to, ctx.signal) };
        },
      }),
      defineTool({
        name: 'calendar_create_event',
        module: 'calendar',
        description:
          'Create an event on the owner\'s calendar.\n' +
          'Use when: schedule a meeting; put something on my calendar; book an appointment.',
        input: {
          title: z.string().min(1).describe('Event title'),
          start: when.describe('Start (ISO 8601 date-time)'),
          end: when.describe('End (ISO 8601 date-time)'),
        },
        handler: async (args, ctx) => {
          if (Date.parse(args.end) <= Date.parse(args.start)) throw new ToolError('invalid_range', '`end` must be after `start`');
          return { event: await calendar.createEvent(args.title, args.start, args.end, ctx.signal) };
        },
      }),
    ];
  },
};
