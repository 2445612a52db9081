// Fills a tool's arguments from its JSON Schema and one clause (README.md, Policy):
// specific signals first, in table order; free text only for what is left.
import {
  fromContactPoint,
  fromDate,
  fromEnum,
  fromNamedNumber,
  fromNumber,
  fromPerson,
  fromTermExamples,
  fromUnitExamples,
  isUnitLike,
  namesContactPoint,
  namesPerson,
  types,
} from './arg-signals.ts';
import { fromDoseOrFrequency, fromGenericString, fromJsonValue, fromKey, namesDoseOrFrequency, namesKey } from './arg-text.ts';
import type { ClauseState } from './clause-state.ts';
import { dateSpans } from './dates.ts';
import type { JsonSchema } from './types.ts';

/** The filled arguments and whether every required property got a value. */
export interface ExtractResult {
  input: Record<string, unknown>;
  complete: boolean;
  missing: string[];
}

function specific(key: string, p: JsonSchema, s: ClauseState, required: boolean): unknown {
  if (Array.isArray(p.enum)) return fromEnum(p, s);
  const t = types(p);
  const fromExamples = fromTermExamples(p, s);
  if (fromExamples !== undefined) return fromExamples;
  if (t.includes('number') || t.includes('integer')) return fromNumber(p, s);
  if (p.format === 'date-time' || p.format === 'date') return fromDate(p, s, required);
  if (t.length > 0 && !t.includes('string')) return undefined;
  if (namesContactPoint(key, p)) return fromContactPoint(key, p, s);
  if (namesPerson(p)) {
    const person = fromPerson(s);
    if (person !== undefined) return person;
  }
  if (namesDoseOrFrequency(p)) {
    const dose = fromDoseOrFrequency(p, s);
    if (dose !== undefined) return dose;
  }
  if (namesKey(key, p)) return fromKey(s);
  return undefined;
}

function generic(key: string, p: JsonSchema, s: ClauseState): unknown {
  if (Array.isArray(p.enum) || namesContactPoint(key, p)) return p.default;
  const t = types(p);
  if (t.length === 0) return fromJsonValue(s);
  if (t.includes('string') && !p.format) return fromGenericString(s);
  return p.default;
}

// Conventional names for the one argument that identifies what a call is about.
const SUBJECT_KEY = /^(name|title|query|text|[a-z]+_name)$/;

function fit(p: JsonSchema, value: unknown): unknown {
  if (typeof value === 'string' && typeof p.maxLength === 'number') return value.slice(0, p.maxLength);
  return value;
}

export function extractArgs(schema: JsonSchema | undefined, s: ClauseState): ExtractResult {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  for (const [start, end] of dateSpans(s.text)) {
    for (const n of s.numbers) if (n.start >= start && n.end <= end) n.used = true;
  }
  const values = new Map<string, unknown>();
  const keys = Object.keys(props);
  const deferred = keys.filter((k) => isUnitLike(k, props[k]) && !Array.isArray(props[k].enum));
  // Numbers the clause ties to a property by name go first, whatever the schema order.
  for (const key of keys) {
    const t = types(props[key]);
    if (!t.includes('number') && !t.includes('integer')) continue;
    const v = fromNamedNumber(key, props[key], s);
    if (v !== undefined) values.set(key, v);
  }
  for (const key of keys) {
    if (deferred.includes(key) || values.has(key)) continue;
    const v = specific(key, props[key], s, required.has(key));
    if (v !== undefined) values.set(key, v);
  }
  for (const key of deferred) {
    const v = fromUnitExamples(props[key], s);
    if (v !== undefined) values.set(key, v);
  }
  for (const key of keys) {
    if (values.has(key) || !required.has(key)) continue;
    const v = generic(key, props[key], s);
    if (v !== undefined) values.set(key, v);
  }
  if (values.size === 0 && keys.length > 0) {
    const subject = keys.find((k) => SUBJECT_KEY.test(k) && types(props[k]).includes('string') && !props[k].format);
    if (subject) values.set(subject, fromGenericString(s));
  }
  const input: Record<string, unknown> = {};
  for (const key of keys) if (values.has(key)) input[key] = fit(props[key], values.get(key));
  const missing = [...required].filter((k) => !values.has(k) || values.get(k) === '');
  return { input, complete: missing.length === 0, missing };
}
