// Amounts of money written in a clause ("€85", "£120", "240 pounds", "1,099
// euros", "310 EUR", "CA$20") and their ISO 4217 codes. The codes, symbols and
// names come from the runtime's CLDR data (Intl), not from a list of our own:
// every currency Intl knows is recognised by its code, its English symbol and
// its English names. A bare name or symbol shared by several currencies
// ("dollars", "$", "pounds") means the one whose English symbol is that bare
// symbol (USD's is "$", Canada's "CA$"), as English readers take it.

/** An amount with the currency written next to it. */
export interface MoneyMention {
  amount: number;
  /** ISO 4217 code. */
  currency: string;
  start: number;
  end: number;
  /** Offsets of the digits alone. */
  amountStart: number;
  amountEnd: number;
}

interface Candidate {
  code: string;
  /** The English symbol is the bare narrow one: this currency owns it in English. */
  owns: boolean;
  nameLength: number;
}

const part = (code: string, display: Intl.NumberFormatOptions['currencyDisplay'], n: number): string =>
  new Intl.NumberFormat('en', { style: 'currency', currency: code, currencyDisplay: display, maximumFractionDigits: 0, minimumFractionDigits: 0 })
    .formatToParts(n)
    .find((p) => p.type === 'currency')?.value ?? code;

interface Tables {
  patterns: RegExp[];
  wordRe: RegExp;
  codes: Set<string>;
  /** Lower-cased symbol or name → candidates. */
  words: Map<string, Candidate[]>;
  symbolRe: string;
  /** Names after an amount ("240 pounds", "5 won"). */
  nameRe: string;
  /** Names that mean a currency on their own: full names and plurals ("euros", "US dollars"), not "won" or "real". */
  ownNameRe: string;
}

let tables: Tables | null = null;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function build(): Tables {
  const codes = new Set(Intl.supportedValuesOf('currency'));
  const display = new Intl.DisplayNames('en', { type: 'currency' });
  const words = new Map<string, Candidate[]>();
  const symbols = new Set<string>();
  const names = new Set<string>();
  const ownNames = new Set<string>();
  const add = (word: string, c: Candidate): void => {
    const key = word.toLowerCase();
    const list = words.get(key) ?? [];
    if (!list.some((x) => x.code === c.code)) list.push(c);
    words.set(key, list);
  };
  for (const code of codes) {
    const symbol = part(code, 'symbol', 2);
    const narrow = part(code, 'narrowSymbol', 2);
    const plural = part(code, 'name', 2);
    const singular = display.of(code) ?? plural;
    const c: Candidate = { code, owns: symbol === narrow, nameLength: plural.length };
    for (const s of [symbol, narrow]) {
      // Letter-only symbols ("kr", "R", "CHF") are too easily ordinary words or codes; codes are matched as codes.
      if (s === code || /^\p{L}+$/u.test(s)) continue;
      add(s, c);
      symbols.add(s);
    }
    for (const name of [plural, singular]) {
      for (const form of [name, name.split(/\s+/).pop() ?? name]) {
        if (form.length < 3) continue;
        add(form, c);
        names.add(form.toLowerCase());
        if (form === name || (name === plural && form !== part(code, 'name', 1).split(/\s+/).pop())) ownNames.add(form.toLowerCase());
      }
    }
  }
  const alternation = (set: Set<string>): string => [...set].sort((a, b) => b.length - a.length).map(escape).join('|');
  const symbolRe = alternation(symbols);
  const nameRe = alternation(names);
  const ownNameRe = alternation(ownNames);
  const patterns = [
    new RegExp(`(${symbolRe})\\s?${AMOUNT}`, 'gu'),
    new RegExp(`(?<![\\p{L}\\d.,])${AMOUNT}\\s?(${symbolRe})`, 'gu'),
    new RegExp(`\\b([A-Z]{3})\\s?${AMOUNT}`, 'gu'),
    new RegExp(`(?<![\\p{L}\\d.,])${AMOUNT}\\s?([A-Z]{3})\\b`, 'gu'),
    new RegExp(`(?<![\\p{L}\\d.,])${AMOUNT}\\s+(${nameRe})\\b`, 'giu'),
  ];
  const wordRe = new RegExp(`(${symbolRe})|\\b([A-Z]{3})\\b|\\b(${ownNameRe})\\b`, 'giu');
  return { patterns, wordRe, codes, words, symbolRe, nameRe, ownNameRe };
}

function data(): Tables {
  tables ??= build();
  return tables;
}

function pick(list: Candidate[]): string {
  return [...list].sort((a, b) => Number(b.owns) - Number(a.owns) || a.nameLength - b.nameLength || a.code.localeCompare(b.code))[0].code;
}

/** The ISO 4217 code a written code, symbol or currency name stands for. */
export function currencyCode(word: string): string | undefined {
  const t = data();
  const w = word.trim();
  if (/^[A-Z]{3}$/.test(w) && t.codes.has(w)) return w;
  const list = t.words.get(w.toLowerCase());
  return list ? pick(list) : undefined;
}

const AMOUNT = '(\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?)';

/** Parses "1,099.50" as 1099.5. */
export const amountValue = (raw: string): number => Number(raw.replace(/,/g, ''));

/** Every amount with a currency, in text order. */
export function moneyMentions(text: string): MoneyMention[] {
  // An amount has digits.
  if (!/\d/.test(text)) return [];
  const found: MoneyMention[] = [];
  data().patterns.forEach((re, i) => {
    for (const m of text.matchAll(re)) {
      const amountFirst = i === 1 || i === 3 || i === 4;
      const [rawAmount, rawCurrency] = amountFirst ? [m[1], m[2]] : [m[2], m[1]];
      const currency = currencyCode(rawCurrency);
      if (!currency) continue;
      const start = m.index ?? 0;
      const amountStart = start + m[0].indexOf(rawAmount, amountFirst ? 0 : rawCurrency.length);
      found.push({ amount: amountValue(rawAmount), currency, start, end: start + m[0].length, amountStart, amountEnd: amountStart + rawAmount.length });
    }
  });
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  return found.filter((m, i) => !found.slice(0, i).some((o) => m.start < o.end && o.start < m.end));
}

/** A currency written without an amount ("in euros", "EUR"): its code. */
export function currencyWord(text: string): { code: string; start: number; end: number } | undefined {
  for (const m of text.matchAll(data().wordRe)) {
    const word = m[0];
    if (m[2] && !/^[A-Z]{3}$/.test(word)) continue;
    const code = currencyCode(word);
    if (code) return { code, start: m.index ?? 0, end: (m.index ?? 0) + word.length };
  }
  return undefined;
}
