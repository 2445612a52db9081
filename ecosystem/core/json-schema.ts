import { z } from 'zod';
import { zodToJsonSchema, type PostProcessCallback } from 'zod-to-json-schema';

/**
 * Extra JSON Schema keywords attached to a zod schema. zod 3 has no native
 * place for `examples` (and `format` only for its own string checks), so they
 * live beside the schema and the converter below merges them in.
 */
export interface SchemaExtras {
  examples?: unknown[];
  format?: string;
}

// Keyed by the zod def object: `.optional()`/`.nullable()`/`.default()` wrap
// the def without copying it, so extras survive wrapping. `.describe()` copies
// the def, so call `withExamples`/`withFormat` after `.describe()`.
// The map lives on globalThis because roster tools are loaded at runtime next
// to a bundled daemon: two copies of this module must share one registry.
const REGISTRY = Symbol.for('butlers.json-schema.extras');
const holder = globalThis as { [REGISTRY]?: WeakMap<object, SchemaExtras> };
const extras: WeakMap<object, SchemaExtras> = (holder[REGISTRY] ??= new WeakMap());

function attach<T extends z.ZodTypeAny>(schema: T, add: SchemaExtras): T {
  const current = extras.get(schema._def) ?? {};
  extras.set(schema._def, { ...current, ...add });
  return schema;
}

/** Publishes `examples` in the tool's JSON Schema; returns the same schema. */
export function withExamples<T extends z.ZodTypeAny>(schema: T, examples: unknown[]): T {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new TypeError('withExamples(schema, examples): examples must be a non-empty array');
  }
  return attach(schema, { examples: [...examples] });
}

/** Publishes a JSON Schema `format` (e.g. `date-time`) zod cannot express itself. */
export function withFormat<T extends z.ZodTypeAny>(schema: T, format: string): T {
  if (typeof format !== 'string' || format.trim() === '') {
    throw new TypeError('withFormat(schema, format): format must be a non-empty string such as "date-time"');
  }
  return attach(schema, { format });
}

/** Extras recorded for a schema (unwrapping optional/nullable/default); for tests and tooling. */
export function schemaExtras(schema: z.ZodTypeAny): SchemaExtras | undefined {
  let current: z.ZodTypeAny | undefined = schema;
  while (current) {
    const found = extras.get(current._def);
    if (found) return found;
    const def = current._def as { innerType?: z.ZodTypeAny };
    current = def.innerType;
  }
  return undefined;
}

const postProcess: PostProcessCallback = (jsonSchema, def) => {
  const add = extras.get(def);
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
