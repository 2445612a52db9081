import { z } from 'zod';
import { day, defineTool, plainRow, text, textOrNull, withExamples } from '@butlers/framework';
import { currency } from '../lib/fields.ts';

export default defineTool({
  name: 'appliance_add',
  description: [
    "Add a household appliance to the owner's home inventory, with its brand, model, purchase and warranty details when given, and return the stored row.",
    '',
    'Use when: bought a new, got a new, delivered, installed a new appliance, add to the inventory, warranty until.',
  ].join('\n'),
  input: {
    name: withExamples(text('What the appliance is'), ['dishwasher', 'washing machine', 'fridge', 'oven']),
    brand: withExamples(z.string().describe('The maker'), ['Bosch', 'Miele', 'Samsung']).optional(),
    model: z.string().describe('The model name or number').optional(),
    room: withExamples(z.string().describe('The room it is in'), ['kitchen', 'utility room', 'living room']).optional(),
    purchased_on: day('The day it was bought (YYYY-MM-DD)').optional(),
    price: z.number().min(0).describe('What it cost, as a number').optional(),
    currency: currency('Currency of the price').optional(),
    warranty_until: day('The last day of the warranty (YYYY-MM-DD)').optional(),
    notes: z.string().describe('Anything else worth keeping, such as the shop or the serial number').optional(),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into appliances (name, brand, model, room, purchased_on, price, currency, warranty_until, notes, session_id)
       values ($1, $2, $3, $4, $5::date, $6, $7, $8::date, $9, $10)
       returning id, name, brand, model, room, purchased_on::text as purchased_on, price, currency,
                 warranty_until::text as warranty_until, notes, session_id, created_at`,
      [
        args.name,
        textOrNull(args.brand),
        textOrNull(args.model),
        textOrNull(args.room),
        args.purchased_on ?? null,
        args.price ?? null,
        textOrNull(args.currency)?.toUpperCase() ?? null,
        args.warranty_until ?? null,
        textOrNull(args.notes),
        ctx.sessionId,
      ],
    );
    return plainRow(rows[0], ['price']);
  },
});
