// Argument filling for tools the double was never written for (finance, travel,
// a bookshop): dates and ranges, money and currencies, names, places, notes,
// counts in words, and how clauses of one sentence become calls.
import { expect, test } from '@playwright/test';
import { planCalls } from './tool-plan.ts';
import type { JsonSchema, ToolDefinition } from './types.ts';

// A Tuesday.
const NOW = new Date('2031-05-20T15:30:00Z');

const tool = (name: string, description: string, properties: Record<string, JsonSchema>, required: string[]): ToolDefinition => ({
  name,
  description,
  input_schema: { type: 'object', properties, required },
});

const expenseLog = tool(
  'expense_log',
  'Record money the owner spent.\n\nUse when: spent, paid, bought, cost me, expense.',
  {
    amount: { type: 'number', minimum: 0, description: 'How much was spent' },
    currency: { type: 'string', description: 'ISO 4217 code of the amount', examples: ['EUR', 'USD'] },
    merchant: { type: 'string', description: 'The shop or company paid' },
    category: { type: 'string', examples: ['groceries', 'fuel', 'parking', 'rent'] },
    spent_on: { type: 'string', format: 'date', description: 'The day of the expense' },
    notes: { type: 'string', description: 'Free-text details' },
  },
  ['amount'],
);

const tripAdd = tool(
  'trip_add',
  'Add a trip to the travel plan.\n\nUse when: trip, travel, going to, flying to, holiday.',
  {
    destination: { type: 'string', description: 'Where the trip goes' },
    start_date: { type: 'string', format: 'date', description: 'The first day' },
    end_date: { type: 'string', format: 'date', description: 'The last day' },
    booked_on: { type: 'string', format: 'date', description: 'The day it was booked' },
  },
  ['destination'],
);

const bookingAdd = tool(
  'booking_add',
  'Record a booking: a flight, a hotel, a train.\n\nUse when: booked, reserved.',
  {
    kind: { type: 'string', enum: ['flight', 'hotel', 'train'] },
    provider: { type: 'string', description: 'The company it is booked with', examples: ['Lufthansa', 'Hilton'] },
    reference: { type: 'string', description: 'Booking reference' },
    flight: { type: 'string', description: 'Flight number' },
    price: { type: 'number', minimum: 0, description: 'What it cost' },
    currency: { type: 'string', description: 'Currency, as an ISO 4217 code' },
    travel_on: { type: 'string', format: 'date', description: 'The day of travel' },
    cancel_until: { type: 'string', format: 'date', description: 'The last day to cancel for free' },
  },
  ['kind'],
);

const stockAdd = tool(
  'stock_add',
  'Add books to the shop stock.\n\nUse when: ordered, received, stocked, bought in.',
  {
    title: { type: 'string', description: 'The book', examples: ['Dune', 'Emma'] },
    copies: { type: 'integer', minimum: 1, description: 'How many copies' },
    supplier: { type: 'string', description: 'Who supplied them, a person or a company' },
    shelf: { type: 'string', description: 'Where they are shelved', examples: ['fiction', 'poetry'] },
  },
  ['title'],
);

const reminderSet = tool(
  'reminder_set',
  'Set a reminder.\n\nUse when: remind me, reminder, don\'t let me forget.',
  { message: { type: 'string' }, due_at: { type: 'string', format: 'date-time' } },
  ['message', 'due_at'],
);

const plan = (prompt: string, tools: ToolDefinition[]) => planCalls(prompt, tools, NOW).map((c) => [c.name, c.input]);

test('money: symbols, names and codes become ISO 4217 codes; the amount is not a day number', () => {
  expect(plan('Paid 18 euros at Lidl for groceries on the 3rd of May', [expenseLog])).toEqual([
    ['expense_log', { amount: 18, currency: 'EUR', merchant: 'Lidl', category: 'groceries', spent_on: '2031-05-03' }],
  ]);
  expect(plan('Spent $42.50 on fuel yesterday', [expenseLog])).toEqual([
    ['expense_log', { amount: 42.5, currency: 'USD', category: 'fuel', spent_on: '2031-05-19' }],
  ]);
  expect(plan('Rent paid, 1,250 GBP', [expenseLog])[0][1]).toMatchObject({ amount: 1250, currency: 'GBP', category: 'rent' });
  expect(plan('Spent ¥3000 on a ramen lunch', [expenseLog])[0][1]).toMatchObject({ amount: 3000, currency: 'JPY' });
  expect(plan('Spent 300 dollars at the airport', [expenseLog])[0][1]).toMatchObject({ amount: 300, currency: 'USD' });
  // No currency written: the currency stays out rather than invented.
  expect(plan('Spent 12 on parking', [expenseLog])[0][1]).toEqual({ amount: 12, category: 'parking' });
});

test('dates: ranges fill start and end, and each date goes to the property its words name', () => {
  expect(plan('Going to Lisbon from March 3 to March 6', [tripAdd])).toEqual([
    ['trip_add', { destination: 'Lisbon', start_date: '2032-03-03', end_date: '2032-03-06' }],
  ]);
  // Past tense: an unwritten year is the last one, not the next.
  expect(plan('Booked on April 12th a trip to Oslo, from June 2 to June 9', [tripAdd])[0][1]).toMatchObject({
    destination: 'Oslo',
    booked_on: '2031-04-12',
    start_date: '2031-06-02',
    end_date: '2031-06-09',
  });
  // "the 25th": a day of this month, or of the last one when the clause tells what happened.
  expect(plan('Paid the rent on the 25th, 900 euros', [expenseLog])[0][1]).toMatchObject({ amount: 900, spent_on: '2031-04-25' });
  expect(plan('Remind me to pay the rent on the 25th', [reminderSet])[0][1]).toMatchObject({ due_at: '2031-05-25T09:00:00.000Z' });
});

const membershipAdd = tool(
  'membership_add',
  'Record a membership the owner took out.\n\nUse when: joined, signed up, became a member.',
  {
    club: { type: 'string', description: 'The club or gym' },
    joined_on: { type: 'string', format: 'date', description: 'The day of joining' },
    membership_ends: { type: 'string', format: 'date', description: 'The last day of the membership' },
    fee: { type: 'number', minimum: 0, description: 'The fee paid' },
  },
  ['club'],
);

test('dates: a duration tied to a property counts from the clause\'s date; a date aimed at stays ahead', () => {
  expect(plan('Joined the FitLife gym on 3 May, a 12-month membership', [membershipAdd])[0][1]).toMatchObject({
    joined_on: '2031-05-03',
    membership_ends: '2032-05-03',
  });
  // Each date to the property its preceding words name, whatever the sentence order.
  expect(plan('Membership of the FitLife gym ends on 3 June 2032, joined on 3 May', [membershipAdd])[0][1]).toMatchObject({
    joined_on: '2031-05-03',
    membership_ends: '2032-06-03',
  });
  // Told in the past, but "for June 10" is the stay booked: not last June.
  expect(plan('Booked a hotel with Hilton for June 10, 180 euros', [bookingAdd])[0][1]).toMatchObject({
    kind: 'hotel',
    provider: 'Hilton',
    travel_on: '2031-06-10',
    price: 180,
    currency: 'EUR',
  });
});

test('names: a value next to its property\'s word, proper names for proper-name examples, who did it', () => {
  expect(plan('Booked flight LH1234 with Lufthansa, reference QX7Z9', [bookingAdd])[0][1]).toMatchObject({
    kind: 'flight',
    flight: 'LH1234',
    provider: 'Lufthansa',
    reference: 'QX7Z9',
  });
  expect(plan('Received twelve copies of Dune from Penguin Random House, shelved in fiction', [stockAdd])).toEqual([
    ['stock_add', { title: 'Dune', copies: 12, supplier: 'Penguin Random House', shelf: 'fiction' }],
  ]);
});

test('notes: what no other argument took, when it says something', () => {
  expect(plan('Spent 30 euros on parking, the machine only took coins', [expenseLog])[0][1]).toMatchObject({
    amount: 30,
    category: 'parking',
    notes: 'machine only took coins',
  });
  expect(plan('Spent 30 euros on parking', [expenseLog])[0][1]).not.toHaveProperty('notes');
});

test('clauses: coordinated objects share the verb, "each" shares the amount, an attribute stays with its item', () => {
  expect(plan('Paid 12 euros for parking and 40 euros for fuel', [expenseLog])).toEqual([
    ['expense_log', { amount: 12, currency: 'EUR', category: 'parking' }],
    ['expense_log', { amount: 40, currency: 'EUR', category: 'fuel' }],
  ]);
  expect(plan('Ordered Dune and Emma from Waterstones, 3 copies each', [stockAdd]).map(([, input]) => input)).toEqual([
    expect.objectContaining({ title: 'Dune', copies: 3 }),
    expect.objectContaining({ title: 'Emma', copies: 3 }),
  ]);
  // The tagger reads "the atlases and the dictionaries" as one phrase; each clause keeps its own part.
  expect(plan('Received the atlases and the dictionaries from Collins, 4 copies each', [stockAdd]).map(([, input]) => input)).toEqual([
    expect.objectContaining({ title: 'atlases', copies: 4 }),
    expect.objectContaining({ title: 'dictionaries', copies: 4, supplier: 'Collins' }),
  ]);
  // "flight BA117" describes the booking before it: one call, not two.
  expect(plan('Booked a flight to Rome with Alitalia, flight AZ205', [bookingAdd])).toEqual([
    ['booking_add', expect.objectContaining({ kind: 'flight', provider: 'Alitalia', flight: 'AZ205' })],
  ]);
});

test('same request, same plan: the analysis is deterministic', () => {
  const prompt = 'Paid 18 euros at Lidl for groceries on the 3rd of May, and 40 euros for fuel';
  expect(JSON.stringify(planCalls(prompt, [expenseLog], NOW))).toBe(JSON.stringify(planCalls(prompt, [expenseLog], NOW)));
});
