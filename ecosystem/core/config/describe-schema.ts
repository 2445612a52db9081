import { z } from 'zod';

/** Follows `path` through objects, arrays and wrappers; undefined when the path leaves the schema. */
export function schemaAt(schema: z.ZodTypeAny, path: ReadonlyArray<string | number>): z.ZodTypeAny | undefined {
  let s: z.ZodTypeAny | undefined = unwrap(schema);
  for (const key of path) {
    if (!s) return undefined;
    if (s instanceof z.ZodObject) s = unwrap((s.shape as Record<string, z.ZodTypeAny>)[String(key)]);
    else if (s instanceof z.ZodArray) s = unwrap(s.element);
    else return undefined;
  }
  return s;
}

/** Keys a table accepts, for "unknown key" messages. */
export function allowedKeys(schema: z.ZodTypeAny | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).sort() : [];
}

/** Plain-language description of what a schema accepts: "an integer from 1 to 65535", "one of: a, b". */
export function describeSchema(schema: z.ZodTypeAny | undefined): string {
  const s = unwrap(schema);
  if (!s) return 'a valid value';
  if (s instanceof z.ZodEnum) return `one of: ${(s.options as string[]).join(', ')}`;
  if (s instanceof z.ZodBoolean) return 'a boolean (true or false)';
  if (s instanceof z.ZodNumber) return describeNumber(s);
  if (s instanceof z.ZodString) return describeString(s);
  if (s instanceof z.ZodArray) return `a list of ${plural(describeSchema(s.element))}`;
  if (s instanceof z.ZodObject) return `a table with keys ${allowedKeys(s).join(', ')}`;
  if (s instanceof z.ZodUnion) return (s.options as z.ZodTypeAny[]).map(describeSchema).join(' or ');
  return 'a valid value';
}

function unwrap(s: z.ZodTypeAny | undefined): z.ZodTypeAny | undefined {
  let cur = s;
  for (;;) {
    if (cur instanceof z.ZodDefault) cur = cur._def.innerType;
    else if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) cur = cur.unwrap();
    else if (cur instanceof z.ZodEffects) cur = cur.innerType();
    else return cur;
  }
}

function describeNumber(s: z.ZodNumber): string {
  const isInt = s._def.checks.some((c) => c.kind === 'int');
  const min = s.minValue;
  const max = s.maxValue;
  const noun = isInt ? 'an integer' : 'a number';
  const positive = s._def.checks.some((c) => c.kind === 'min' && c.value === 0 && !c.inclusive);
  if (positive) return `a positive ${isInt ? 'integer' : 'number'}`;
  if (min !== null && max !== null && max < Number.MAX_SAFE_INTEGER) return `${noun} from ${min} to ${max}`;
  if (min === 1 && isInt) return 'a positive integer';
  if (min !== null) return `${noun} ≥ ${min}`;
  return noun;
}

function describeString(s: z.ZodString): string {
  if (s.isURL) return 'a URL (e.g. http://127.0.0.1:8100/mcp)';
  if (s.isEmail) return 'an email address';
  const regex = s._def.checks.find((c) => c.kind === 'regex');
  if (regex && regex.kind === 'regex') return regex.message ? `a string: ${regex.message}` : `a string matching ${regex.regex}`;
  return (s.minLength ?? 0) > 0 ? 'a non-empty string' : 'a string';
}

function plural(description: string): string {
  return description.replace(/^an? /, '').replace(/^(\w+)/, '$1s').replace(/^booleans \(/, 'booleans (');
}
