// Money arguments (README.md, Policy): a number property about money (its name
// or description says cost, price, paid, spent…, or "amount" beside a currency
// property) takes the amounts written with a currency, in order; a currency
// property (it says "currency" or "ISO 4217", or its examples are three-letter
// codes) takes the code of the amount beside it, else a currency written alone.
import { type ClauseState, consume, useNumber } from './clause-state.ts';
import { currencyWord } from './money.ts';
import type { JsonSchema } from './types.ts';

const typesOf = (p: JsonSchema): string[] => (Array.isArray(p.type) ? p.type : p.type ? [p.type] : []);
const isNumeric = (p: JsonSchema): boolean => typesOf(p).some((t) => t === 'number' || t === 'integer');
const words = (key: string, p: JsonSchema): string => `${key.replace(/_/g, ' ')} ${p.description ?? ''}`;

const MONEY = /\b(?:costs?|price[sd]?|paid|pay|payment|spent|spend|spending|fees?|fares?|total|budget|charged?|salary|rent|bill|worth|refund(?:ed)?|deposit|tip|wage)\b/i;
const AMOUNT = /\b(?:amount|sum|value)\b/i;

export function isCurrencyProperty(key: string, p: JsonSchema): boolean {
  if (isNumeric(p)) return false;
  const examples = (p.examples ?? []).filter((e): e is string => typeof e === 'string');
  return /\bcurrency\b|\biso[ -]?4217\b/i.test(words(key, p)) || (examples.length > 0 && examples.every((e) => /^[A-Z]{3}$/.test(e)));
}

export function isMoneyProperty(key: string, p: JsonSchema, currencyBeside: boolean): boolean {
  if (!isNumeric(p)) return false;
  const w = words(key, p);
  return MONEY.test(w) || (currencyBeside && AMOUNT.test(w));
}

/** Fills money amounts and currencies into `values`; returns whether amounts were taken for money. */
export function assignMoney(keys: string[], props: Record<string, JsonSchema>, s: ClauseState, values: Map<string, unknown>): void {
  const currencies = keys.filter((k) => isCurrencyProperty(k, props[k]) && !values.has(k));
  const amounts = keys.filter((k) => isMoneyProperty(k, props[k], currencies.length > 0) && !values.has(k));
  if (amounts.length === 0 && currencies.length === 0) return;
  const taken: string[] = [];
  let next = 0;
  for (const k of amounts) {
    const p = props[k];
    const m = s.money.slice(next).find((x) => (p.minimum === undefined || x.amount >= p.minimum) && (p.maximum === undefined || x.amount <= p.maximum));
    if (!m) break;
    next = s.money.indexOf(m) + 1;
    const n = s.numbers.find((x) => x.start === m.amountStart);
    if (n) useNumber(s, n);
    values.set(k, typesOf(p).includes('integer') ? Math.round(m.amount) : m.amount);
    taken.push(m.currency);
  }
  // Amounts written with a currency are money: no other number property takes them.
  if (amounts.length > 0) for (const m of s.money) consume(s, m.start, m.end);
  currencies.forEach((k, i) => {
    const code = taken[i] ?? s.money[i]?.currency ?? (i === 0 ? currencyWord(s.text)?.code : undefined);
    if (code) values.set(k, code);
  });
  if (currencies.length > 0) {
    const word = currencyWord(s.text);
    if (word) consume(s, word.start, word.end);
  }
}
