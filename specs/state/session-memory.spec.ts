import { SpawnerResult } from '../../contracts/index.ts';
import { test, expect } from '../../fixtures/index.ts';

test('STA-21 a session remembers a goal in state and a later session reads it back', async ({ mcp, sql, model, tag }) => {
  model.require();
  const health = await mcp('health');
  const trigger = (prompt: string) => health.call('trigger', { prompt, trigger_source: 'test', tag }, SpawnerResult, { timeoutMs: 110_000 });

  const first = await test.step('first session writes the goal', () => trigger('Remember that my weight goal is 75kg. Store this in state.'));
  expect(first.success, first.error ?? '').toBe(true);
  const sets = first.tool_calls.filter((c) => c.name === 'state_set' && !c.is_error);
  expect(sets.map((c) => c.name), JSON.stringify(first.tool_calls)).toContain('state_set');
  const key = (sets[0].arguments as { key: string }).key;

  // The row that session wrote, inside its own time window, holds the 75.
  const { rows } = await sql('health').query<{ value: unknown }>(
    `select s.value from state s, sessions x
      where x.session_id = $1 and s.key = $2 and s.updated_at between x.created_at and coalesce(x.completed_at, now())`,
    [first.session_id, key],
  );
  expect(rows, `state row ${key} written during session ${first.session_id}`).toHaveLength(1);
  expect(JSON.stringify(rows[0].value)).toContain('75');

  const second = await test.step('a later session reads it', () => trigger('What is my weight goal? Check the state store.'));
  expect(second.success, second.error ?? '').toBe(true);
  const reads = second.tool_calls.filter((c) => ['state_get', 'state_list'].includes(c.name) && !c.is_error);
  expect(reads.length, JSON.stringify(second.tool_calls)).toBeGreaterThan(0);
  const readKeys = reads.map((c) => c.arguments as { key?: string; prefix?: string });
  expect(
    readKeys.some((a) => a.key === key || (a.prefix !== undefined && key.startsWith(a.prefix))),
    `the second session read ${key}: ${JSON.stringify(readKeys)}`,
  ).toBe(true);
  expect(second.output ?? '').toContain('75');
});
