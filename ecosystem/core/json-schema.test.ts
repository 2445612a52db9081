import { expect, test } from '@playwright/test';
import { z } from 'zod';
import { schemaExtras, toolInputJsonSchema, withExamples, withFormat } from './json-schema.ts';

test('examples survive optional/default wrapping and land in the published schema', () => {
  const unit = withExamples(z.string().describe('Unit'), ['kg', 'bpm']);
  const schema = toolInputJsonSchema({
    type: withExamples(z.string().min(1).describe('Kind'), ['weight']),
    unit: unit.optional(),
    also: unit.default('kg'),
  });
  expect(schema).toEqual({
    type: 'object',
    properties: {
      type: { type: 'string', minLength: 1, description: 'Kind', examples: ['weight'] },
      unit: { type: 'string', description: 'Unit', examples: ['kg', 'bpm'] },
      also: { type: 'string', description: 'Unit', examples: ['kg', 'bpm'], default: 'kg' },
    },
    required: ['type'],
    additionalProperties: false,
  });
  expect(schemaExtras(unit.optional())).toEqual({ examples: ['kg', 'bpm'] });
});

test('withFormat publishes a format zod cannot express; datetime() maps to date-time by itself', () => {
  const schema = toolInputJsonSchema({
    when: z.string().datetime({ offset: true }).describe('When'),
    day: withFormat(z.string(), 'date'),
  });
  expect(schema.properties.when).toMatchObject({ type: 'string', format: 'date-time' });
  expect(schema.properties.day).toEqual({ type: 'string', format: 'date' });
});

test('no $ref and no $schema: every property is inlined', () => {
  const shared = z.enum(['a', 'b']).describe('Shared');
  const schema = toolInputJsonSchema({ one: shared, two: shared.optional(), none: z.object({}).optional() });
  expect(JSON.stringify(schema)).not.toContain('$ref');
  expect(schema.$schema).toBeUndefined();
  expect(schema.properties.two).toEqual({ type: 'string', enum: ['a', 'b'], description: 'Shared' });
});

test('an empty shape is an object with no properties', () => {
  expect(toolInputJsonSchema({})).toEqual({ type: 'object', properties: {}, additionalProperties: false });
});

test('withExamples rejects an empty list, naming the rule', () => {
  expect(() => withExamples(z.string(), [])).toThrow(/non-empty array/);
  expect(() => withFormat(z.string(), ' ')).toThrow(/non-empty string/);
});
