import type { z } from 'zod';

// The extras registry on its own, without the JSON Schema converter: roster
// tools import it, and a daemon loads roster tools at start-up, so this module
// must not pull zod-to-json-schema (a separate CommonJS package load, ~80 ms
// of a daemon's start on a small box) into every tools bundle.

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

/** The extras recorded for exactly this zod def (no unwrapping); used by the converter. */
export function extrasOfDef(def: object): SchemaExtras | undefined {
  return extras.get(def);
}
