// Registries and tool definitions the unit tests feed the double. They are
// written here, in the shape the ecosystem spec describes, not imported from
// the roster: the double must work on whatever vocabulary it is shown.
import type { ToolDefinition } from '../model-double/types.ts';
import type { RegistryEntry } from '../model-double/registry.ts';

export const registry: RegistryEntry[] = [
  {
    name: 'general',
    description: 'Catch-all for free-form collections and anything no other butler covers',
    capabilities: ['lists', 'notes', 'collections', 'questions', 'everything else'],
  },
  {
    name: 'health',
    description: 'Body measurements, medications, symptoms and doctors',
    capabilities: ['weight', 'kg', 'blood pressure', 'heart rate', 'medications', 'taking', 'started', 'prescribed', 'dose', 'mg', 'symptoms', 'headache', 'pain', 'severity', 'doctor', 'Dr.', 'appointment'],
  },
  {
    name: 'messenger',
    description: 'Outbound notifications to the owner',
    capabilities: ['notifications', 'notify', 'Telegram', 'email'],
  },
  {
    name: 'relationship',
    description: 'Contacts, interactions and reminders about people',
    capabilities: ['contacts', 'friends', 'family', 'birthdays', 'interactions', 'thank-you notes', 'cards', 'gifts'],
  },
];

/** A domain the double has never been tuned for. */
export const gardenRegistry: RegistryEntry[] = [
  { name: 'garden', description: 'Plants, watering and harvests', capabilities: ['tomatoes', 'seedlings', 'compost', 'watering', 'harvest', 'raised bed'] },
  { name: 'kitchen', description: 'Recipes, pantry stock and meal plans', capabilities: ['recipes', 'pantry', 'groceries', 'meal plan', 'baking'] },
  { name: 'misc', description: 'Fallback for everything else', capabilities: ['everything else'] },
];

const str = (description?: string, extra: Record<string, unknown> = {}) => ({ type: 'string', ...(description ? { description } : {}), ...extra });

export const tools: ToolDefinition[] = [
  {
    name: 'measurement_log',
    description: 'Records one body measurement. Use when: log/record a body measurement. Kinds: weight, blood pressure, heart rate, temperature.',
    input_schema: {
      type: 'object',
      properties: {
        type: str('what was measured', { examples: ['weight', 'blood_pressure', 'heart_rate', 'temperature'] }),
        value: { type: 'number', description: 'the measured value' },
        unit: str('unit of the value', { examples: ['kg', 'lb', 'mmHg', 'bpm', '°C'] }),
        notes: str('free notes'),
        measured_at: str('when it was measured', { format: 'date-time' }),
      },
      required: ['type', 'value'],
    },
  },
  {
    name: 'medication_add',
    description: 'Adds an active medication. Use when: started/taking/prescribed a medication.',
    input_schema: {
      type: 'object',
      properties: {
        name: str("the medication's name"),
        dosage: str('dose per intake', { examples: ['500mg'] }),
        frequency: str('how often it is taken', { examples: ['twice daily', 'every 8 hours'] }),
        notes: str('free notes'),
      },
      required: ['name'],
    },
  },
  {
    name: 'symptom_log',
    description: 'Records a symptom. Use when: I have / I feel / symptom. Kinds: headache, pain, nausea, fever, fatigue.',
    input_schema: {
      type: 'object',
      properties: {
        name: str('the symptom', { examples: ['headache', 'pain', 'nausea', 'fever', 'fatigue'] }),
        severity: { type: 'integer', minimum: 0, maximum: 10, description: 'how bad, 0 to 10' },
        occurred_at: str('when it happened', { format: 'date-time' }),
      },
      required: ['name'],
    },
  },
  {
    name: 'contact_add',
    description: 'Adds a contact. Use when: add/new contact.',
    input_schema: { type: 'object', properties: { name: str("a person's full name"), email: str('email address'), notes: str('free notes') }, required: ['name'] },
  },
  {
    name: 'reminder_set',
    description: 'Stores a reminder. Use when: remind me to.',
    input_schema: {
      type: 'object',
      properties: { message: str('what to be reminded of'), due_at: str('when', { format: 'date-time' }), contact_name: str("a person's name") },
      required: ['message', 'due_at'],
    },
  },
  {
    name: 'notification_log',
    description: 'Queues a notification to the owner. Use when: notify me, send a notification or message.',
    input_schema: {
      type: 'object',
      properties: { channel: { type: 'string', enum: ['telegram', 'email'] }, body: str('the text to send'), recipient: str('an address or handle') },
      required: ['channel', 'body'],
    },
  },
  {
    name: 'state_set',
    description: 'Stores a JSON value under a key. Use when: remember, store, save.',
    input_schema: { type: 'object', properties: { key: str('a short snake_case name for the subject'), value: { description: 'any JSON value' } }, required: ['key', 'value'] },
  },
];

export const gardenTools: ToolDefinition[] = [
  {
    name: 'watering_record',
    description: 'Records that plants were watered. Use when: watered, gave water to. Kinds: tomatoes, basil, lettuce.',
    input_schema: {
      type: 'object',
      properties: {
        plant: str('which plant', { examples: ['tomatoes', 'basil', 'lettuce'] }),
        litres: { type: 'number', description: 'how much water' },
      },
      required: ['plant', 'litres'],
    },
  },
  {
    name: 'harvest_log',
    description: 'Logs a harvest. Use when: harvested, picked. Kinds: zucchini, beans, strawberries.',
    input_schema: {
      type: 'object',
      properties: { crop: str('the crop', { examples: ['zucchini', 'beans', 'strawberries'] }), grams: { type: 'integer', description: 'weight picked' } },
      required: ['crop'],
    },
  },
];
