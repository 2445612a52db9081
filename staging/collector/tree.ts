import type { CollectedSpan } from './otlp-json.ts';

/** Parent/child navigation over the spans of one trace. */
export interface SpanTree {
  spans: CollectedSpan[];
  byId(id: string): CollectedSpan | undefined;
  parent(s: CollectedSpan): CollectedSpan | undefined;
  children(s: CollectedSpan): CollectedSpan[];
  /** Every span below `s`, depth first, in start order. */
  descendants(s: CollectedSpan): CollectedSpan[];
  /** Spans from the root down to `s`'s parent. */
  ancestors(s: CollectedSpan): CollectedSpan[];
  /** Spans whose parent is absent from the set (the harness root, or spans whose parent never arrived). */
  roots(): CollectedSpan[];
  /** An indented text rendering: `name [service] 12.3 ms ERROR: …` per line. */
  render(o?: { mark?: (s: CollectedSpan) => boolean }): string;
}

export function spanTree(spans: readonly CollectedSpan[]): SpanTree {
  const list = [...spans].sort((a, b) => a.startMs - b.startMs || a.seq - b.seq);
  const ids = new Map(list.map((s) => [s.spanId, s]));
  const kids = new Map<string, CollectedSpan[]>();
  for (const s of list) if (s.parentSpanId) kids.set(s.parentSpanId, [...(kids.get(s.parentSpanId) ?? []), s]);
  const children = (s: CollectedSpan) => kids.get(s.spanId) ?? [];
  const descendants = (s: CollectedSpan): CollectedSpan[] => children(s).flatMap((c) => [c, ...descendants(c)]);
  const roots = () => list.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  return {
    spans: list,
    byId: (id) => ids.get(id),
    parent: (s) => (s.parentSpanId ? ids.get(s.parentSpanId) : undefined),
    children,
    descendants,
    ancestors(s) {
      const out: CollectedSpan[] = [];
      const seen = new Set<string>();
      for (let p = s.parentSpanId ? ids.get(s.parentSpanId) : undefined; p && !seen.has(p.spanId); p = p.parentSpanId ? ids.get(p.parentSpanId) : undefined) {
        seen.add(p.spanId);
        out.unshift(p);
      }
      return out;
    },
    roots,
    render(o = {}) {
      const lines: string[] = [];
      const walk = (s: CollectedSpan, depth: number) => {
        const err = s.status === 'error' ? ` ERROR${s.statusMessage ? `: ${s.statusMessage}` : ''}` : '';
        lines.push(`${o.mark?.(s) ? '>' : ' '} ${'  '.repeat(depth)}${s.name} [${s.service}] ${s.durationMs.toFixed(1)} ms${err}`);
        for (const c of children(s)) walk(c, depth + 1);
      };
      for (const r of roots()) walk(r, 0);
      return lines.join('\n') || '(no spans)';
    },
  };
}
