// Fills a tool's arguments from its JSON Schema and one clause (README.md, Policy):
// specific signals first, in table order; free text only for what is left.
import {
  fromContactPoint,
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
import { assignDates, fallbackDate, isDateProperty } from './arg-dates.ts';
import {
  fromAgent,
  fromLeftover,
  fromNamedValue,
  fromPlace,
  fromProperName,
  namesAgent,
  namesNotes,
  namesPlace,
  nounOf,
  personNames,
  wantsProperName,
} from './arg-entities.ts';
import { assignMoney } from './arg-money.ts';
import { fromDoseOrFrequency, fromGenericString, fromJsonValue, fromKey, namesDoseOrFrequency, namesKey } from './arg-text.ts';
import { type ClauseState, consume } from './clause-state.ts';
import { stem } from './text.ts';
import type { JsonSchema } from './types.ts';

/** The filled arguments and whether every required property got a value. */
export interface ExtractResult {
  input: Record<string, unknown>;
  complete: boolean;
  missing: string[];
}

function specific(key: string, p: JsonSchema, s: ClauseState, required: boolean, agentWanted: boolean): unknown {
  if (Array.isArray(p.enum)) return fromEnum(p, s);
  const t = types(p);
  const fromExamples = fromTermExamples(p, s, namesPlace(key, p));
  if (fromExamples !== undefined) return fromExamples;
  if (t.includes('number') || t.includes('integer')) return fromNumber(p, s);
  if (isDateProperty(p)) return required ? fallbackDate(p, s) : undefined;
  if (t.length > 0 && !t.includes('string')) return undefined;
  if (namesContactPoint(key, p)) return fromContactPoint(key, p, s);
  if (p.format || namesNotes(key, p)) return undefined;
  const named = fromNamedValue(key, s);
  if (named !== undefined) return named;
  if (wantsProperName(p)) {
    const proper = fromProperName(s, agentWanted);
    if (proper !== undefined) return proper;
  }
  if (namesPerson(p)) {
    // Not consumed: a message keeps the name it mentions ("phone Aunt Mae and ask …").
    const person = fromPerson({ ...s, names: personNames(s) });
    if (person !== undefined) {
      const at = s.text.indexOf(person);
      if (at >= 0) s.claimed.push([at, at + person.length]);
      return person;
    }
  }
  if (namesAgent(key, p) || namesPerson(p)) {
    const agent = fromAgent(s);
    if (agent !== undefined) return agent;
  }
  if (namesDoseOrFrequency(p)) {
    const dose = fromDoseOrFrequency(p, s);
    if (dose !== undefined) return dose;
  }
  if (namesKey(key, p)) return fromKey(s);
  if (namesPlace(key, p)) return fromPlace(s);
  return undefined;
}

/** A free-text value taken for a property: consumed, so notes do not repeat it. */
function freeText(p: JsonSchema, s: ClauseState): string {
  const fragment = fromGenericString(s);
  // A property with examples names a thing: the thing, not the sentence around it.
  const value = (p.examples ?? []).length > 0 ? nounOf(s, fragment) : fragment;
  // A pronoun names nothing by itself: the call is incomplete rather than about "it".
  if (/^(?:it|this|that|these|those|them|one)$/i.test(value)) return '';
  const at = s.text.indexOf(value);
  if (at >= 0) consume(s, at, at + value.length);
  return value;
}

function generic(key: string, p: JsonSchema, s: ClauseState, units: string[]): unknown {
  if (Array.isArray(p.enum) || namesContactPoint(key, p)) return p.default;
  const t = types(p);
  if (t.length === 0) return fromJsonValue(s);
  if (t.includes('string') && !p.format) return freeText(p, s);
  if ((t.includes('number') || t.includes('integer')) && p.default === undefined) return fromArticle(s, units);
  return p.default;
}

/** "a bunch", "a bag": one, when the noun after the article is a unit the schema's examples name. */
function fromArticle(s: ClauseState, units: string[]): number | undefined {
  for (const m of s.text.matchAll(/\b(?:a|an)\s+(\p{L}+)/giu)) if (units.includes(stem(m[1]))) return 1;
  return undefined;
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
  const values = new Map<string, unknown>();
  const keys = Object.keys(props);
  const deferred = keys.filter((k) => isUnitLike(k, props[k]) && !Array.isArray(props[k].enum));
  const units = deferred.flatMap((k) => (props[k].examples ?? []).map((e) => stem(String(e))));
  // Dates and money first: their digits are not counts or readings.
  assignDates(keys, props, s, values);
  assignMoney(keys, props, s, values);
  // Numbers the clause ties to a property by name go first, whatever the schema order.
  for (const key of keys) {
    const t = types(props[key]);
    if (!t.includes('number') && !t.includes('integer')) continue;
    const v = fromNamedNumber(key, props[key], s);
    if (v !== undefined) values.set(key, v);
  }
  for (const key of keys) {
    if (deferred.includes(key) || values.has(key)) continue;
    const agentWanted = keys.some((k) => k !== key && !values.has(k) && (namesAgent(k, props[k]) || namesPerson(props[k])));
    const v = specific(key, props[key], s, required.has(key), agentWanted);
    if (v !== undefined) values.set(key, v);
  }
  for (const key of deferred) {
    if (values.has(key)) continue;
    const v = fromUnitExamples(props[key], s, required.has(key));
    if (v !== undefined) values.set(key, v);
  }
  for (const key of keys) {
    if (values.has(key) || !required.has(key)) continue;
    const v = generic(key, props[key], s, units);
    if (v !== undefined) values.set(key, v);
  }
  if (values.size === 0 && keys.length > 0) {
    const subject = keys.find((k) => SUBJECT_KEY.test(k) && types(props[k]).includes('string') && !props[k].format);
    if (subject) values.set(subject, freeText(props[subject], s));
  }
  // Whatever else the clause says goes to a notes property, required or not.
  for (const key of keys) {
    if (values.has(key) || !namesNotes(key, props[key])) continue;
    const v = fromLeftover(s, [...values.values()]);
    if (v !== undefined) values.set(key, v);
  }
  const input: Record<string, unknown> = {};
  for (const key of keys) if (values.has(key)) input[key] = fit(props[key], values.get(key));
  const missing = [...required].filter((k) => !values.has(k) || values.get(k) === '');
  return { input, complete: missing.length === 0, missing };
}
