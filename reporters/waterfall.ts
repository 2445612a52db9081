import type { CollectedSpan } from '../staging/collector/otlp-json.ts';
import { spanTree } from '../staging/collector/tree.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#bab0ac', '#ff9da7', '#86bcb6'];

/**
 * One trace as a self-contained HTML waterfall: a row per span in tree order,
 * its bar placed on the trace's time axis, coloured by service (the lanes of
 * the legend), errors in red with their message. No scripts, no external files,
 * so it opens inside the Playwright HTML report as an attachment.
 */
export function renderWaterfall(spans: readonly CollectedSpan[], o: { title: string; traceId: string }): string {
  const tree = spanTree(spans);
  const t0 = Math.min(...tree.spans.map((s) => s.startMs));
  const t1 = Math.max(...tree.spans.map((s) => s.endMs));
  const total = Math.max(1, t1 - t0);
  const services = [...new Set(tree.spans.map((s) => s.service))];
  const color = (svc: string) => PALETTE[services.indexOf(svc) % PALETTE.length];
  const rows: string[] = [];
  const walk = (s: CollectedSpan, depth: number) => {
    const left = ((s.startMs - t0) / total) * 100;
    const width = Math.max(0.3, (s.durationMs / total) * 100);
    const err = s.status === 'error';
    const title = esc(`${s.name} [${s.service}] ${s.durationMs.toFixed(1)} ms${s.statusMessage ? ` — ${s.statusMessage}` : ''}\n${JSON.stringify(s.attributes, null, 1)}`);
    rows.push(
      `<tr class="span${err ? ' error' : ''}" data-span-id="${s.spanId}" data-service="${esc(s.service)}" title="${title}">` +
        `<td class="name" style="padding-left:${depth * 14 + 4}px">${esc(s.name)}${err ? ` <b>ERROR</b> ${esc(s.statusMessage ?? '')}` : ''}</td>` +
        `<td class="svc"><span class="dot" style="background:${color(s.service)}"></span>${esc(s.service)}</td>` +
        `<td class="ms">${s.durationMs.toFixed(1)} ms</td>` +
        `<td class="lane"><div class="bar" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%;background:${err ? '#e15759' : color(s.service)}"></div></td></tr>`,
    );
    for (const c of tree.children(s)) walk(c, depth + 1);
  };
  for (const r of tree.roots()) walk(r, 0);
  const legend = services.map((s) => `<span class="lg"><span class="dot" style="background:${color(s)}"></span>${esc(s)}</span>`).join(' ');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(o.title)}</title><style>
body{font:12px system-ui,sans-serif;margin:12px;color:#222}h1{font-size:14px;margin:0 0 4px}
.meta{color:#555;margin-bottom:8px}table{border-collapse:collapse;width:100%}td{padding:2px 6px;border-bottom:1px solid #eee;white-space:nowrap}
td.lane{width:50%;position:relative}.bar{position:absolute;top:4px;height:10px;border-radius:2px}
tr.error td.name{color:#c00}.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px}.lg{margin-right:10px}
td.ms{text-align:right;color:#555}</style></head><body>
<h1 class="waterfall">Trace waterfall: ${esc(o.title)}</h1>
<div class="meta">trace id <code id="trace-id">${o.traceId}</code> · ${tree.spans.length} spans · ${total.toFixed(1)} ms · search this id in Jaeger or Grafana Tempo</div>
<div class="meta">${legend}</div>
<table><tbody>${rows.join('\n')}</tbody></table></body></html>`;
}
