import { readFileSync } from 'node:fs';
import { SpawnerResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import { discoverRoster, rosterDir } from '../../staging/roster.ts';
import { expectedModuleStatus } from '../smoke/expected-schema.ts';

type LogLine = { butler?: string; pid?: number; level?: number; event?: string; module?: string; phase?: string };

test('OBS-20 each butler\'s current process logged one warn module.failed per expected failed module, with module and phase, and none for active modules', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'reads the boot lines of processes this run started; not with E2E_REUSE=1');
  const lines = readFileSync(ecosystem.logFile, 'utf8').split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as LogLine; } catch { return {} as LogLine; } });
  let expectedFailures = 0;
  for (const entry of discoverRoster(rosterDir())) {
    const pid = ecosystem.butlers[entry.name]?.pid;
    expect(pid, `${entry.name} runs`).toBeDefined();
    const mine = lines.filter((o) => o.butler === entry.name && o.pid === pid);
    expect(mine.some((o) => o.event === 'butler.ready'), `${entry.name} pid ${pid}: its boot lines are in the run log`).toBe(true);
    const failedLines = mine.filter((o) => o.event === 'module.failed');
    const want = entry.modules.map((m) => ({ module: m, ...expectedModuleStatus(m, ecosystem.postgres.hasPgvector) })).filter((w) => w.status === 'failed');
    expectedFailures += want.length;
    expect(
      failedLines.map((o) => ({ module: o.module, phase: o.phase, level: o.level })).sort((a, b) => String(a.module).localeCompare(String(b.module))),
      `${entry.name} pid ${pid}: module.failed lines`,
    ).toEqual(want.map((w) => ({ module: w.module, phase: w.phase, level: 40 })).sort((a, b) => a.module.localeCompare(b.module)));
  }
  // The roster has modules that cannot start offline (credentials), so the check is not vacuous.
  expect(expectedFailures).toBeGreaterThan(0);
});

test('OBS-23 the cost attachment totals equal the sum of the test\'s session rows, and in double mode what the double reported as usage', async ({ mcp, sql, model, cost, tag }) => {
  model.require();
  const ids: Array<[string, string]> = [];
  for (const [butler, prompt] of [['health', 'Log weight 81kg'], ['relationship', 'Add Ada Lovelace as a contact, she is a friend from the chess club']] as const) {
    const r = (await (await mcp(butler)).call('trigger', { prompt, trigger_source: 'test', tag }, SpawnerResult, { timeoutMs: 60_000 })) as SpawnerResult;
    expect(r.success, r.error ?? '').toBe(true);
    ids.push([butler, r.session_id!]);
  }
  const att = await cost.current();
  expect(att, 'a cost attachment for a test that ran sessions').toBeDefined();
  // The attachment lists our sessions with the tokens of their rows.
  for (const [butler, id] of ids) {
    const { rows } = await sql(butler).query('select input_tokens, output_tokens from sessions where session_id = $1', [id]);
    expect(att!.sessions.find((s) => s.session_id === id), `session ${id} in the attachment`).toMatchObject({ butler, input_tokens: Number(rows[0].input_tokens), output_tokens: Number(rows[0].output_tokens) });
    expect(Number(rows[0].input_tokens)).toBeGreaterThan(0);
  }
  const sum = (k: 'input_tokens' | 'output_tokens') => att!.sessions.reduce((n, s) => n + s[k], 0);
  expect({ input: att!.input_tokens, output: att!.output_tokens, calls: att!.calls }).toEqual({ input: sum('input_tokens'), output: sum('output_tokens'), calls: att!.sessions.length });

  if (model.mode === 'double') {
    const control = model.requireDouble();
    for (const [, id] of ids) {
      const usage = { input: 0, output: 0 };
      for (const entry of await control.requests({ session_id: id })) {
        const detail = await control.request(entry.id);
        const u = (detail?.response?.body as { usage?: { input_tokens?: number; output_tokens?: number } } | undefined)?.usage;
        usage.input += u?.input_tokens ?? 0;
        usage.output += u?.output_tokens ?? 0;
      }
      const s = att!.sessions.find((x) => x.session_id === id)!;
      expect({ input: s.input_tokens, output: s.output_tokens }, `session ${id}: row tokens vs the double's usage`).toEqual(usage);
    }
  }
});
