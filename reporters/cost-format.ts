import { int, usd } from './budgets.ts';
import { allInputTokens } from './cost-attachment.ts';
import type { CostSummary } from './cost-summary.ts';

function modeLabel(summary: CostSummary): string {
  if (summary.mode === 'live') return 'live (real API spend)';
  if (summary.mode === 'mixed') return 'mixed (live and synthetic attachments)';
  return 'double (synthetic tokens, not real spend)';
}

/** The run summary box: LLM calls, API requests, tokens, estimated cost, mode. */
export function formatSummaryBox(summary: CostSummary): string {
  const t = summary.totals;
  const synthetic = summary.synthetic ? ' (synthetic)' : '';
  const rows: [string, string][] = [
    ['LLM calls', int(t.calls)],
    ['API requests', int(t.api_requests)],
    ['Input tokens', int(t.input_tokens)],
    ['Cache writes', int(t.cache_creation_input_tokens)],
    ['Cache reads', int(t.cache_read_input_tokens)],
    ['Output tokens', int(t.output_tokens)],
    ['Estimated cost', `${usd(t.cost_usd)}${synthetic}  [seed prices: ${usd(t.cost_usd_seed)}]`],
    ['Mode', modeLabel(summary)],
  ];
  const title = summary.synthetic ? ' LLM cost - synthetic ' : ' LLM cost ';
  const labelWidth = Math.max(...rows.map(([l]) => l.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(labelWidth)}  ${value}`);
  const width = Math.max(title.length + 2, ...lines.map((l) => l.length));
  const top = `┌─${title}${'─'.repeat(width - title.length)}─┐`;
  const body = lines.map((l) => `│ ${l.padEnd(width)} │`);
  const bottom = `└${'─'.repeat(width + 2)}┘`;
  return [top, ...body, bottom].join('\n');
}

/** Per-test rows (title, sessions, input, output, cost) to spot prompt bloat. */
export function formatTestTable(summary: CostSummary): string {
  if (summary.tests.length === 0) return 'No test recorded LLM sessions.';
  // Input = everything the model read (uncached + cache writes + reads): what the per-test limit judges.
  const header = ['Test', 'Sessions', 'Input', 'Cached', 'Output', 'Cost'];
  const rows = summary.tests.map((r) => [
    `[${r.project}] ${r.title}${r.attempts > 1 ? ` (${r.attempts} attempts)` : ''}`,
    int(r.calls),
    int(allInputTokens(r)),
    int(r.cache_creation_input_tokens + r.cache_read_input_tokens),
    int(r.output_tokens),
    usd(r.cost_usd),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Budget lines: failures when enforced, notes when synthetic. */
export function formatBudgets(summary: CostSummary): { failures: string[]; notes: string[] } {
  const failures: string[] = [];
  const notes: string[] = [];
  for (const b of summary.budgets) {
    if (!b.exceeded) continue;
    if (b.enforced) failures.push(`Cost budget exceeded: ${b.message}`);
    else notes.push(`Synthetic cost over a live budget (not enforced in double mode): ${b.message}`);
  }
  return { failures, notes };
}
