import { ClassifyResult, DispatchResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';
import type { ModelDoubleControl } from '../../staging/model-double/index.ts';
import { failedSession, sessionById, sessionsByTag } from './sessions.ts';

/**
 * Classification degrades to `general` with the original text, unchanged,
 * whenever the model's answer is unusable or never comes (docs/ecosystem.md
 * §8.2): `classify` never fails, and what `dispatch` hands to general is
 * exactly what the user wrote.
 */

const classification = (tag: string) => ({ butler: 'switchboard', session_kind: 'classification', tag });

function classify(sb: McpHandle, text: string, tag: string, extra: { timeout_ms?: number } = {}) {
  return sb.call('classify', { text, tag, ...extra }, ClassifyResult, { timeoutMs: 200_000 });
}

/** Dispatches the classification's entries and returns general's outcome, session row and the first user turn the model saw. */
async function dispatchToGeneral(sb: McpHandle, control: ModelDoubleControl, sql: (b: string) => import('pg').Pool, c: ClassifyResult, tag: string) {
  const d = await sb.call('dispatch', { entries: c.entries, tag }, DispatchResult, { timeoutMs: 200_000 });
  expect(d.outcomes.map((o) => [o.butler, o.status])).toEqual([['general', 'success']]);
  const rows = await sessionsByTag(sql('general'), tag);
  expect(rows.map((r) => r.session_id), 'one general session for the tag, the dispatched one').toEqual([d.outcomes[0].session_id]);
  const [asked] = await control.requests({ butler: 'general', session_id: rows[0].session_id });
  const detail = (await control.request(asked.id)) as { request: { messages: { role: string; content: unknown }[] } };
  return { session: rows[0], firstTurn: detail.request.messages[0] };
}

test.describe('classification fallback under model faults', () => {
  test.describe.configure({ timeout: 180_000 });

  test('RES-16 prose instead of JSON falls back to general with parse_error and general gets the original text exactly', async ({ mcp, sql, model, logs, tag }) => {
    const control = model.requireDouble();
    const text = `Please remember that the plumber comes on Thursday, ok?  (${tag})`;
    await model.fault({ match: classification(tag), action: { type: 'text', text: 'I think this is about the house; the general butler should take it.' } });
    const sb = await mcp('switchboard');
    const c = await classify(sb, text, tag);
    expect(c).toMatchObject({ fallback: true, fallback_reason: 'parse_error', entries: [{ butler: 'general', prompt: text }] });
    expect((await sessionById(sql('switchboard'), c.session_id!)).status, 'the classification session itself completed').toBe('completed');
    const { session, firstTurn } = await dispatchToGeneral(sb, control, sql, c, tag);
    expect(session.prompt, 'the general session prompt is the original text, byte for byte').toBe(text);
    expect(firstTurn).toEqual({ role: 'user', content: text });
    logs.expectNoUnexpectedErrors();
  });

  test('RES-17 an empty JSON array falls back to general with empty and general gets the original text', async ({ mcp, model, sql, logs, tag }) => {
    const control = model.requireDouble();
    const text = `Note to self: buy more coffee filters (${tag})`;
    await model.fault({ match: classification(tag), action: { type: 'json', value: [] } });
    const sb = await mcp('switchboard');
    const c = await classify(sb, text, tag);
    expect(c).toMatchObject({ fallback: true, fallback_reason: 'empty', entries: [{ butler: 'general', prompt: text }] });
    const { session, firstTurn } = await dispatchToGeneral(sb, control, sql, c, tag);
    expect(session.prompt).toBe(text);
    expect(firstTurn).toEqual({ role: 'user', content: text });
    logs.expectNoUnexpectedErrors();
  });

  test('RES-33 a classification slower than its timeout falls back to general with timeout', async ({ mcp, sql, model, logs, tag }) => {
    model.requireDouble();
    const text = `Log weight 80kg and call Alice tomorrow (${tag})`;
    await model.fault({ match: classification(tag), action: { type: 'delay', ms: 8000 } });
    const c = await classify(await mcp('switchboard'), text, tag, { timeout_ms: 2000 });
    expect(c).toMatchObject({ fallback: true, fallback_reason: 'timeout', entries: [{ butler: 'general', prompt: text }] });
    const row = await sessionById(sql('switchboard'), c.session_id!);
    expect(row).toMatchObject({ kind: 'classification', status: 'error', error: 'timeout' });
    expect(row.duration_ms!, 'the classification timeout cannot fire early').toBeGreaterThanOrEqual(2000);
    logs.expectNoUnexpectedErrors({ allow: [failedSession('switchboard', [tag])] });
  });
});
