import { nextCronOccurrence } from './cron.ts';
import { syncSchedules } from './schedule-sync.ts';
import { expect, makeCtx, test } from '../../testing/tool-context.ts';

const health = [
  { name: 'daily-summary', cron: '0 9 * * *', prompt: "Generate a summary of yesterday's activities", enabled: true },
  { name: 'weekly-review', cron: '0 10 * * 1', prompt: "Review this week's health trends" },
];

async function rows(db: import('pg').Pool) {
  const r = await db.query('SELECT id, name, cron, prompt, enabled, source, due_at, created_at FROM scheduled_tasks ORDER BY name');
  return r.rows;
}

test('sync creates TOML rows due at the next occurrence, and a rerun changes nothing', async ({ db }) => {
  const { log } = makeCtx(db);
  const before = new Date();
  expect(await syncSchedules(db, health, { butler: 'health', log })).toEqual({ created: 2, updated: 0, deleted: 0 });
  const first = await rows(db);
  expect(first.map((r) => [r.name, r.source, r.enabled])).toEqual([
    ['daily-summary', 'toml', true],
    ['weekly-review', 'toml', true],
  ]);
  expect(first[0].due_at.toISOString()).toBe(nextCronOccurrence('0 9 * * *', before).toISOString());

  expect(await syncSchedules(db, health, { butler: 'health', log })).toEqual({ created: 0, updated: 0, deleted: 0 });
  expect(await rows(db)).toEqual(first);
});

test('sync recomputes due_at on a changed cron, updates prompt, deletes removed TOML rows only', async ({ db }) => {
  const { log } = makeCtx(db);
  await syncSchedules(db, health, { butler: 'health', log });
  await db.query(
    `INSERT INTO scheduled_tasks (name, cron, prompt, source, due_at) VALUES ('mine', '0 1 * * *', 'x', 'runtime', now())`,
  );
  await db.query(`UPDATE scheduled_tasks SET due_at = '2000-01-01T00:00:00Z'`);
  const [daily] = await rows(db);

  const changed = [{ ...health[0], cron: '30 8 * * *', prompt: 'New summary prompt' }];
  const before = new Date();
  expect(await syncSchedules(db, changed, { butler: 'health', log })).toEqual({ created: 0, updated: 1, deleted: 1 });
  const after = await rows(db);
  expect(after.map((r) => r.name)).toEqual(['daily-summary', 'mine']);
  expect(after[0].id).toBe(daily.id);
  expect(after[0]).toMatchObject({ cron: '30 8 * * *', prompt: 'New summary prompt' });
  expect(after[0].due_at.toISOString()).toBe(nextCronOccurrence('30 8 * * *', before).toISOString());
  expect(after[1].due_at.toISOString()).toBe('2000-01-01T00:00:00.000Z');

  // A prompt-only change keeps due_at.
  await syncSchedules(db, [{ ...changed[0], prompt: 'Again' }], { butler: 'health', log });
  const [again] = await rows(db);
  expect(again.prompt).toBe('Again');
  expect(again.due_at.toISOString()).toBe(after[0].due_at.toISOString());
});

test('sync refuses bad entries with the key and the fix', async ({ db }) => {
  const { log } = makeCtx(db);
  await expect(syncSchedules(db, [{ name: 'x', cron: '61 * * * *', prompt: 'p' }], { butler: 'health', log })).rejects.toThrow(
    /roster\/health.*"x".*61 \* \* \* \*/,
  );
  await expect(
    syncSchedules(db, [{ name: 'x', cron: '0 9 * * *', prompt: 'p', target: '*' }], { butler: 'health', log }),
  ).rejects.toThrow(/target is only allowed on the heartbeat/);
  await expect(syncSchedules(db, [health[0], health[0]], { butler: 'health', log })).rejects.toThrow(/declared twice/);
  expect(await rows(db)).toEqual([]);
  const res = await syncSchedules(db, [{ name: 'heartbeat-cycle', cron: '*/10 * * * *', prompt: 'p', target: '*' }], {
    butler: 'heartbeat',
    log,
  });
  expect(res.created).toBe(1);
});
