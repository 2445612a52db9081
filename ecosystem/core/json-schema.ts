import { z } from 'zod';
import { zodToJsonSchema, type PostProcessCallback } from 'zod-to-json-schema';

import { extrasOfDef } from './schema-extras.ts';

export { schemaExtras, withExamples, withFormat, type SchemaExtras } from './schema-extras.ts';

const postProcess: PostProcessCallback = (jsonSchema, def) => {
  const add = extrasOfDef(def);
  if (!jsonSchema || !add) return jsonSchema;
  const out: Record<string, unknown> = { ...jsonSchema };
  if (add.examples) out.examples = add.examples;
  if (add.format) out.format = add.format;
  return out as typeof jsonSchema;
};

/** JSON Schema of a tool input: always `{ type: "object", properties, required?, additionalProperties }`. */
export interface ToolInputJsonSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
  [key: string]: unknown;
}

/**
 * Converts a tool's zod raw shape to the JSON Schema published in `tools/list`,
 * inlining every sub-schema (no `$ref`) and merging `withExamples`/`withFormat`.
 */
export function toolInputJsonSchema(shape: z.ZodRawShape): ToolInputJsonSchema {
  const converted = zodToJsonSchema(z.object(shape), {
    $refStrategy: 'none',
    strictUnions: true,
    pipeStrategy: 'input',
    effectStrategy: 'input',
    postProcess,
  }) as Record<string, unknown>;
  delete converted.$schema;
  if (converted.type !== 'object') {
    throw new TypeError(`toolInputJsonSchema: expected an object schema, got ${JSON.stringify(converted.type)}`);
  }
  converted.properties ??= {};
  return converted as ToolInputJsonSchema;
}
