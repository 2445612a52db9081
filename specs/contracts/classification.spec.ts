import { ClassifyResult, type ClassificationEntry } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { ModelDoubleControl } from '../../staging/model-double/index.ts';

/**
 * The classification contract (docs/contracts.md §3, docs/ecosystem.md §8.2)
 * through the running switchboard's `classify` tool. The double's `json` /
 * `text` / `status` faults, matched by this test's tag, fix the classifier's
 * answer, so every outcome is exact; CON-12 and CON-13 run with either model
 * and check structure only. Sessions and requests are selected by the tag.
 */
test.describe.configure({ timeout: 90_000 });

const segment = (rationale: string) => ({ rationale });

/** Classifies `text` with the classifier's answer fixed by the double for this tag (first answer only). */
async function classifyWith(mcp: (b: string) => Promise<import('../../staging/mcp/client.ts').McpHandle>, model: { fault: Function }, tag: string, action: Record<string, unknown>, text: string) {
  await model.fault({ match: { butler: 'switchboard', tag, session_kind: 'classification' }, action });
  const sb = await mcp('switchboard');
  return sb.call('classify', { text, tag }, ClassifyResult, { timeoutMs: 60_000 });
}

/** The text of the first user message of a Messages API request body. */
function firstUserText(body: unknown): string {
  const m = (body as { messages: { role: string; content: string | { type: string; text?: string }[] }[] }).messages.find((x) => x.role === 'user');
  if (!m) return '';
  return typeof m.content === 'string' ? m.content : m.content.map((b) => b.text ?? '').join('\n');
}

/** The registry names the classifier was shown in this tag's (only) classification request. */
async function shownRegistry(control: ModelDoubleControl, tag: string): Promise<string[]> {
  const reqs = (await control.requests({ tag })).filter((r) => r.session_kind === 'classification');
  expect(reqs, 'exactly one classification request for this tag reached the double').toHaveLength(1);
  const detail = await control.request(reqs[0].id);
  const block = /<registry>\n([\s\S]*?)\n<\/registry>/.exec(firstUserText(detail!.request));
  expect(block, 'the classification prompt holds a registry block').not.toBeNull();
  return (JSON.parse(block![1]) as { name: string }[]).map((e) => e.name);
}

test('CON-12 a single-subject message ("Log weight 80kg") classifies into one health entry without fallback', async ({ mcp, model, logs, tag }) => {
  model.require();
  const sb = await mcp('switchboard');
  const text = 'Log weight 80kg';
  const r = await sb.call('classify', { text, tag }, ClassifyResult, { timeoutMs: 120_000 });
  expect(r.fallback, JSON.stringify(r)).toBe(false);
  expect(r.fallback_reason).toBeUndefined();
  expect(r.entries.map((e) => e.butler)).toEqual(['health']);
  expect(r.entries[0].prompt.trim(), 'the entry carries a prompt').not.toBe('');
  expect(r.session_id, 'the classification ran as a session').not.toBeNull();
  logs.expectNoUnexpectedErrors();
});

test('CON-13 a compound message classifies into several entries, each prompt self-contained: it names its own subject', async ({ mcp, model, logs, tag }) => {
  model.require();
  const sb = await mcp('switchboard');
  const text = 'I had coffee with Sarah Johnson today, please add her as a new contact. Also log my weight: 80 kg.';
  const r = await sb.call('classify', { text, tag }, ClassifyResult, { timeoutMs: 120_000 });
  expect(r.fallback, JSON.stringify(r)).toBe(false);
  expect(r.entries.length, 'one entry per subject').toBeGreaterThanOrEqual(2);
  const butlers = r.entries.map((e) => e.butler);
  expect(butlers).toEqual(expect.arrayContaining(['health', 'relationship']));
  const of = (b: string) => r.entries.filter((e) => e.butler === b).map((e) => e.prompt).join(' ');
  expect(of('relationship'), 'the contact request names the person, not just "her"').toMatch(/Sarah/i);
  expect(of('relationship'), 'and carries nothing of the weight').not.toMatch(/80\s*kg/i);
  expect(of('health'), 'the health request keeps the measurement').toMatch(/80/);
  expect(of('health'), 'and names what is measured').toMatch(/weight/i);
  logs.expectNoUnexpectedErrors();
});

test('CON-14 prose instead of JSON falls back (parse_error) to one general entry whose prompt is the input exactly', async ({ mcp, model, logs, tag }) => {
  model.requireDouble();
  const text = `  Something ${tag} about my day\nwith two lines  `;
  const r = await classifyWith(mcp, model, tag, { type: 'text', text: 'Sure! I think this is about health.' }, text);
  expect(r).toMatchObject({ fallback: true, fallback_reason: 'parse_error', warnings: [] });
  expect(r.entries).toEqual([{ butler: 'general', prompt: text, segment: { rationale: 'fallback: parse_error' } }]);
  expect(r.entries[0].prompt, 'unchanged: not trimmed, not rewritten').toBe(text);
  logs.expectNoUnexpectedErrors();
});

test('CON-15 an empty JSON array falls back with reason empty', async ({ mcp, model, logs, tag }) => {
  model.requireDouble();
  const text = `Log weight 80kg (${tag})`;
  const r = await classifyWith(mcp, model, tag, { type: 'json', value: [] }, text);
  expect(r).toMatchObject({ fallback: true, fallback_reason: 'empty', warnings: [] });
  expect(r.entries).toEqual([{ butler: 'general', prompt: text, segment: { rationale: 'fallback: empty' } }]);
  logs.expectNoUnexpectedErrors();
});

test('CON-16 an unknown butler is skipped with unknown_butler and the valid health entry is kept without fallback', async ({ mcp, model, logs, tag }) => {
  model.requireDouble();
  const health: ClassificationEntry = { butler: 'health', prompt: 'Log weight 80kg', segment: segment('a body measurement') };
  const r = await classifyWith(mcp, model, tag, { type: 'json', value: [{ butler: 'nonexistent', prompt: 'Do something', segment: segment('made up') }, health] }, `Log weight 80kg (${tag})`);
  expect(r.fallback).toBe(false);
  expect(r.fallback_reason).toBeUndefined();
  expect(r.entries).toEqual([health]);
  expect(r.warnings).toEqual([{ code: 'unknown_butler', index: 0, butler: 'nonexistent' }]);
  logs.expectNoUnexpectedErrors();
});

test('CON-17 an entry with an extra confidence key is accepted and passed on without it', async ({ mcp, model, logs, tag }) => {
  model.requireDouble();
  await model.fault({ match: { butler: 'switchboard', tag, session_kind: 'classification' }, action: { type: 'json', value: [{ butler: 'health', prompt: 'Log weight 80kg', segment: segment('a body measurement'), confidence: 0.9 }] } });
  const sb = await mcp('switchboard');
  // The raw answer, not a schema-parsed copy: parsing would strip the key the test looks for.
  const raw = await sb.callTool('classify', { text: `Log weight 80kg (${tag})`, tag }, { timeoutMs: 60_000 });
  expect(raw.isError, JSON.stringify(raw.data)).toBeFalsy();
  const r = ClassifyResult.parse(raw.data);
  expect(r).toMatchObject({ fallback: false, warnings: [] });
  const entries = (raw.data as { entries: Record<string, unknown>[] }).entries;
  expect(entries, 'the entry is accepted as the model gave it, minus the extra key').toEqual([{ butler: 'health', prompt: 'Log weight 80kg', segment: segment('a body measurement') }]);
  expect(Object.keys(entries[0]), 'the extra key is not passed on').not.toContain('confidence');
  logs.expectNoUnexpectedErrors();
});

test('CON-18 an entry without segment is skipped (entry_missing_keys); one with segment {} is kept with segment_missing_metadata', async ({ mcp, model, logs, tag }) => {
  model.requireDouble();
  const r = await classifyWith(
    mcp, model, tag,
    { type: 'json', value: [{ butler: 'health', prompt: 'Log weight 80kg' }, { butler: 'relationship', prompt: 'Add Sarah Johnson as a contact', segment: {} }] },
    `Log weight 80kg and add Sarah Johnson (${tag})`,
  );
  expect(r.fallback).toBe(false);
  expect(r.entries).toEqual([{ butler: 'relationship', prompt: 'Add Sarah Johnson as a contact', segment: {} }]);
  expect(r.warnings).toEqual([
    { code: 'entry_missing_keys', index: 0 },
    { code: 'segment_missing_metadata', index: 1, butler: 'relationship' },
  ]);
  logs.expectNoUnexpectedErrors();
});

test('CON-19 a quarantined butler is skipped (ineligible_butler), nothing valid is left (no_valid_entries), and the classifier was never shown it', async ({ mcp, sql, model, faults, logs, tag }) => {
  const control = model.requireDouble();
  await faults.registry('relationship');
  await sql('switchboard').query(
    `update butler_registry set eligibility_state = 'quarantined', quarantined_at = now(), quarantine_reason = $2 where name = $1`,
    ['relationship', `CON-19 ${tag}`],
  );
  const text = `Add Sarah Johnson as a contact (${tag})`;
  const r = await classifyWith(mcp, model, tag, { type: 'json', value: [{ butler: 'relationship', prompt: 'Add Sarah Johnson as a contact', segment: segment('a new contact') }] }, text);
  expect(r).toMatchObject({ fallback: true, fallback_reason: 'no_valid_entries' });
  expect(r.warnings).toEqual([{ code: 'ineligible_butler', index: 0, butler: 'relationship' }]);
  expect(r.entries).toEqual([{ butler: 'general', prompt: text, segment: { rationale: 'fallback: no_valid_entries' } }]);
  const shown = await shownRegistry(control, tag);
  expect(shown, 'the classifier is shown the active specialists').toContain('health');
  expect(shown, 'but not the quarantined relationship butler').not.toContain('relationship');
  logs.expectNoUnexpectedErrors();
});

test('CON-20 an entry with an empty prompt is skipped with empty_prompt; the valid one next to it is kept', async ({ mcp, model, logs, tag }) => {
  model.requireDouble();
  const contact: ClassificationEntry = { butler: 'relationship', prompt: 'Add Sarah Johnson as a contact', segment: segment('a new contact') };
  const r = await classifyWith(mcp, model, tag, { type: 'json', value: [{ butler: 'health', prompt: '', segment: segment('a body measurement') }, contact] }, `Log weight and add Sarah Johnson (${tag})`);
  expect(r.fallback).toBe(false);
  expect(r.entries).toEqual([contact]);
  expect(r.warnings).toEqual([{ code: 'empty_prompt', index: 0, butler: 'health' }]);
  logs.expectNoUnexpectedErrors();
});

test('CON-21 a classification session failing with HTTP 500 falls back (llm_error) and its session row is error', async ({ mcp, sql, model, logs, tag }) => {
  model.requireDouble();
  await model.fault({ match: { butler: 'switchboard', tag, session_kind: 'classification' }, action: { type: 'status', code: 500 }, times: 0 });
  const sb = await mcp('switchboard');
  const text = `Log weight 80kg (${tag})`;
  const r = await sb.call('classify', { text, tag }, ClassifyResult, { timeoutMs: 60_000 });
  expect(r).toMatchObject({ fallback: true, fallback_reason: 'llm_error', warnings: [] });
  expect(r.entries).toEqual([{ butler: 'general', prompt: text, segment: { rationale: 'fallback: llm_error' } }]);
  expect(r.session_id, 'the failed session still has its row').not.toBeNull();
  const { rows } = await sql('switchboard').query('select session_id::text, kind, status, error from sessions where tag = $1', [tag]);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ session_id: r.session_id, kind: 'classification', status: 'error' });
  expect(rows[0].error, 'the row says why').toBeTruthy();
  logs.expectNoUnexpectedErrors({ allow: [(l) => l.butler === 'switchboard' && l.tag === tag && ['runtime.llm_failed', 'spawner.session_failed'].includes(String(l.event))] });
});
