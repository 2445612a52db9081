import { z } from 'zod';
import { test, expect } from '../../fixtures/index.ts';
import { nextOccurrence } from './scheduling.ts';

const TaskResult = z.object({ task: z.object({ id: z.string().uuid(), name: z.string(), cron: z.string(), enabled: z.boolean(), source: z.string() }).passthrough() });
const TaskList = z.object({ tasks: z.array(z.object({ id: z.string(), name: z.string() }).passthrough()) });

test.describe('schedule tools on health', () => {
  test('SCH-14 schedule_create stores a runtime task and names it in the result', async ({ mcp, schedules, tag }) => {
    const name = `e2e-test-schedule-${tag}`;
    const before = new Date();
    const created = await schedules.create('health', { name, cron: '0 */6 * * *', prompt: 'Run E2E test task' });
    expect(created).toMatchObject({ name, cron: '0 */6 * * *', prompt: 'Run E2E test task', enabled: true, source: 'runtime', status: 'pending' });
    expect(created.due_at.getTime(), 'due at the first occurrence after creation').toBe(nextOccurrence('0 */6 * * *', before).getTime());
    expect((await (await mcp('health')).call('schedule_list', {}, TaskList)).tasks.map((t) => t.name)).toContain(name);
  });

  test('SCH-15 schedule_list lists a created task', async ({ mcp, schedules, tag }) => {
    const name = `e2e-test-schedule-${tag}`;
    const created = await schedules.create('health', { name, cron: '0 */6 * * *', prompt: 'Run E2E test task' });
    const listed = (await (await mcp('health')).call('schedule_list', {}, TaskList)).tasks.filter((t) => t.name === name);
    expect(listed.map((t) => t.id)).toEqual([created.id]);
  });

  test('SCH-16 schedule_update by name and by task_id; both keys at once is a validation error', async ({ mcp, schedules, tag }) => {
    const name = `e2e-test-schedule-${tag}`;
    const created = await schedules.create('health', { name, cron: '0 */6 * * *', prompt: 'Run E2E test task' });
    const client = await mcp('health');
    const before = new Date();
    const byName = await client.call('schedule_update', { name, cron: '30 */2 * * *' }, TaskResult);
    expect(byName.task.cron).toBe('30 */2 * * *');
    const row = (await schedules.task('health', name))!;
    expect(row.due_at.getTime(), 'due_at recomputed for the new cron').toBe(nextOccurrence('30 */2 * * *', before).getTime());
    expect(row.due_at.getUTCMinutes()).toBe(30);
    const byId = await client.call('schedule_update', { task_id: created.id, enabled: false }, TaskResult);
    expect(byId.task.enabled).toBe(false);
    expect((await schedules.task('health', name))!.enabled).toBe(false);
    const both = await client.callTool('schedule_update', { task_id: created.id, name, enabled: true });
    expect(both.isError).toBe(true);
    expect(both.text).toMatch(/task_id/);
    expect((await schedules.task('health', name))!.enabled, 'the refused call changed nothing').toBe(false);
  });

  test('SCH-17 schedule_delete by name removes the task; deleting again is not_found', async ({ mcp, schedules, tag }) => {
    const name = `e2e-test-schedule-${tag}`;
    await schedules.create('health', { name, cron: '0 */6 * * *', prompt: 'Run E2E test task' });
    const client = await mcp('health');
    expect(await client.call('schedule_delete', { name })).toMatchObject({ deleted: true });
    expect(await schedules.task('health', name)).toBeUndefined();
    expect((await client.call('schedule_list', {}, TaskList)).tasks.map((t) => t.name)).not.toContain(name);
    const again = await client.callTool('schedule_delete', { name });
    expect(again.isError).toBe(true);
    expect(again.data).toMatchObject({ error: 'not_found' });
  });

  test('SCH-17 an unknown task name or id is not_found naming it, for update and delete alike, and changes nothing', async ({ mcp, sql, tag }) => {
    const client = await mcp('health');
    const before = (await sql('health').query('select id, cron, enabled, due_at from scheduled_tasks order by id')).rows;
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const [tool, args] of [
      ['schedule_update', { name: `${tag}-nope`, enabled: false }],
      ['schedule_update', { task_id: unknownId, cron: '0 1 * * *' }],
      ['schedule_delete', { name: `${tag}-nope` }],
      ['schedule_delete', { task_id: unknownId }],
    ] as const) {
      const out = await client.callTool(tool, args);
      expect(out.data, `${tool} ${JSON.stringify(args)}`).toMatchObject({ error: 'not_found' });
      expect(out.text).toContain('name' in args ? `${tag}-nope` : unknownId);
    }
    const neither = await client.callTool('schedule_delete', {});
    expect(neither.isError).toBe(true);
    expect(neither.text).toMatch(/task_id/);
    expect((await sql('health').query('select id, cron, enabled, due_at from scheduled_tasks order by id')).rows).toEqual(before);
  });

  test('SCH-18 creating a task with a taken name is schedule_exists and leaves one row', async ({ mcp, sql, schedules, tag }) => {
    const name = `${tag}-dup`;
    await schedules.create('health', { name, cron: '0 */6 * * *', prompt: `first ${tag}` });
    const dup = await (await mcp('health')).callTool('schedule_create', { name, cron: '0 1 * * *', prompt: `second ${tag}` });
    expect(dup.data).toMatchObject({ error: 'schedule_exists' });
    const { rows } = await sql('health').query('select prompt, cron from scheduled_tasks where name = $1', [name]);
    expect(rows).toEqual([{ prompt: `first ${tag}`, cron: '0 */6 * * *' }]);
  });

  test('SCH-19 an invalid cron is invalid_cron and stores nothing', async ({ mcp, sql, tag }) => {
    const name = `${tag}-badcron`;
    const bad = await (await mcp('health')).callTool('schedule_create', { name, cron: '61 * * * *', prompt: `never ${tag}` });
    expect(bad.isError).toBe(true);
    expect(bad.data).toMatchObject({ error: 'invalid_cron' });
    expect((await sql('health').query('select 1 from scheduled_tasks where name = $1', [name])).rowCount).toBe(0);
  });

  test('SCH-20 a target on a butler other than the heartbeat is target_requires_heartbeat', async ({ mcp, sql, tag }) => {
    const name = `${tag}-target`;
    const bad = await (await mcp('health')).callTool('schedule_create', { name, cron: '0 * * * *', prompt: `route ${tag}`, target: 'health' });
    expect(bad.data).toMatchObject({ error: 'target_requires_heartbeat' });
    expect((await sql('health').query('select 1 from scheduled_tasks where name = $1', [name])).rowCount).toBe(0);
  });
});
