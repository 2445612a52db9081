import { test, expect } from '../../fixtures/index.ts';
import type { TaskRow } from '../../fixtures/index.ts';
import { nextOccurrence } from './scheduling.ts';

test('SCH-06 every schedule declared in health\'s butler.toml has its row, due at the first occurrence after creation', async ({ schedules }) => {
  const declared = schedules.declared('health');
  expect(declared.map((d) => d.name).sort()).toEqual(['daily-summary', 'weekly-review']);
  const rows = await schedules.read('health');
  for (const d of declared) {
    const row = rows.find((r) => r.name === d.name);
    expect(row, `row for ${d.name}`).toBeDefined();
    expect(row).toMatchObject({ cron: d.cron, prompt: d.prompt, enabled: d.enabled, source: 'toml' });
    // A test may have run it since (SCH-23): then it is due after its last run instead.
    const from = row!.last_run_at ?? row!.created_at;
    expect(row!.due_at.getTime(), `${d.name} due_at`).toBe(nextOccurrence(d.cron, from).getTime());
  }
});

test('SCH-07 a restart syncs the same TOML again without new rows or changed due_at', async ({ butlers, schedules }) => {
  const before = (await schedules.read('health')).filter((r) => r.source === 'toml');
  await butlers.restart('health');
  const after = (await schedules.read('health')).filter((r) => r.source === 'toml');
  const view = (rows: TaskRow[]) => rows.map((r) => ({ id: r.id, name: r.name, due_at: r.due_at.toISOString() }));
  expect(view(after)).toEqual(view(before));
});

test('SCH-08 a changed cron is re-armed and a removed entry deleted at the next start', async ({ ecosystem, schedules }) => {
  // A second health with its own database, not registered: the real health stays the registry's and keeps its tasks.
  const copy = await ecosystem.launchAdHoc({ name: 'health', rosterDir: ecosystem.butlers.health.dir, register: false });
  try {
    const rows = async () => (await copy.sql.query<TaskRow>('select * from scheduled_tasks order by name')).rows;
    const first = await rows();
    expect(first.map((r) => r.name)).toEqual(['daily-summary', 'weekly-review']);
    // The restart reads a [[schedule]] list with daily-summary's cron changed and weekly-review gone
    // (an overlay's array replaces the file's, as an edited butler.toml would).
    const daily = schedules.declared('health').find((d) => d.name === 'daily-summary')!;
    const restartedAt = new Date();
    await copy.restart({ overlay: { schedule: [{ ...daily, cron: '15 7 * * *' }] } });
    const second = await rows();
    expect(second.map((r) => r.name)).toEqual(['daily-summary']);
    expect(second[0].id, 'the same row, updated').toBe(first.find((r) => r.name === 'daily-summary')!.id);
    expect(second[0].cron).toBe('15 7 * * *');
    expect(second[0].due_at.getTime()).toBe(nextOccurrence('15 7 * * *', restartedAt).getTime());
    // The real health's rows are untouched.
    expect((await schedules.read('health')).filter((r) => r.source === 'toml').map((r) => r.name)).toEqual(['daily-summary', 'weekly-review']);
  } finally {
    await copy.dispose();
  }
  // The copy never touched the registry: the real health is still the one routed to.
  const { rows } = await ecosystem.admin('switchboard').query('select endpoint_url from butler_registry where name = $1', ['health']);
  expect(rows).toEqual([{ endpoint_url: ecosystem.butlers.health.advertisedUrl }]);
});
