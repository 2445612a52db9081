// Dates written in a clause: ISO timestamps first, then today / tomorrow /
// yesterday (09:00 UTC unless a time of day is given).

/** A date found in a clause, with the span it was read from. */
export interface FoundDate {
  iso: string;
  start: number;
  end: number;
}

const ISO_RE = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/;
const RELATIVE_RE = /\b(today|tonight|tomorrow|yesterday)\b/i;
const TIME_RE = /\b(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\bat\s+(\d{1,2})(?::(\d{2}))?\b|\bat\s+(noon|midnight)\b/i;

function timeOfDay(text: string): { hour: number; minute: number; start: number; end: number } | null {
  const m = TIME_RE.exec(text);
  if (!m) return null;
  const start = m.index;
  const end = start + m[0].length;
  if (m[6]) return { hour: m[6].toLowerCase() === 'noon' ? 12 : 0, minute: 0, start, end };
  let hour = Number(m[1] ?? m[4]);
  const minute = Number(m[2] ?? m[5] ?? 0);
  const meridiem = m[3]?.toLowerCase();
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return null;
  return { hour, minute, start, end };
}

/** The first date in `text`; `fallback` asks for today 09:00 UTC when none is written. */
export function findDate(text: string, now: Date, fallback: boolean): FoundDate | null {
  const iso = ISO_RE.exec(text);
  if (iso) {
    const parsed = new Date(iso[0].includes('T') || iso[0].length === 10 ? iso[0] : iso[0].replace(' ', 'T'));
    if (!Number.isNaN(parsed.getTime())) {
      return { iso: parsed.toISOString(), start: iso.index, end: iso.index + iso[0].length };
    }
  }
  const rel = RELATIVE_RE.exec(text);
  const time = timeOfDay(text);
  if (!rel && !time && !fallback) return null;
  const word = rel?.[1].toLowerCase() ?? 'today';
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (word === 'tomorrow') day.setUTCDate(day.getUTCDate() + 1);
  if (word === 'yesterday') day.setUTCDate(day.getUTCDate() - 1);
  day.setUTCHours(time?.hour ?? 9, time?.minute ?? 0, 0, 0);
  const spans = [rel ? [rel.index, rel.index + rel[0].length] : null, time ? [time.start, time.end] : null].filter(
    (s): s is number[] => s !== null,
  );
  const start = spans.length > 0 ? Math.min(...spans.map((s) => s[0])) : text.length;
  const end = spans.length > 0 ? Math.max(...spans.map((s) => s[1])) : text.length;
  return { iso: day.toISOString(), start, end };
}

/** Spans a date occupies, so its digits are not taken for other numbers. */
export function dateSpans(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const iso = ISO_RE.exec(text);
  if (iso) out.push([iso.index, iso.index + iso[0].length]);
  const time = timeOfDay(text);
  if (time) out.push([time.start, time.end]);
  return out;
}
