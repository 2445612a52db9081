import { expect, test } from '@playwright/test';
import { RouteResult, SessionRow, SpawnerResult, TriggerSource } from './index.ts';

const uuid = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const okResult = {
  output: 'Logged 80 kg.',
  success: true,
  tool_calls: [{ name: 'measurement_log', arguments: { type: 'weight' }, result: { id: 1 }, is_error: false }],
  error: null,
  duration_ms: 1200,
  model: 'claude-haiku-4-5-20251001',
  session_id: uuid,
  input_tokens: 1500,
  output_tokens: 300,
  lock_wait_ms: 0,
};

const row = {
  session_id: uuid,
  butler_name: 'health',
  trigger_source: 'external',
  kind: 'task',
  prompt: 'Log weight',
  model: 'claude-haiku-4-5-20251001',
  status: 'completed',
  created_at: new Date('2026-02-16T10:00:00Z'),
  completed_at: '2026-02-16T10:00:01.5+00:00',
  duration_ms: 1500,
  lock_wait_ms: 0,
  tool_calls: [],
  output: 'done',
  input_tokens: 10,
  output_tokens: 5,
  api_requests: 1,
  cost_usd: '0.000035',
  trace_id: 'abc',
  error: null,
  request_id: null,
  subrequest_id: null,
  tag: 't-1',
  scheduled_task_id: null,
  runtime_pid: 1234,
  some_future_column: 1,
};

test.describe('result contracts', () => {
  test('SpawnerResult: a success, a failure and a lock_wait_timeout', () => {
    expect(SpawnerResult.safeParse(okResult).success).toBe(true);
    const failed = { ...okResult, success: false, output: null, error: 'authentication_error', input_tokens: null, output_tokens: null };
    expect(SpawnerResult.safeParse(failed).success).toBe(true);
    const lock = { ...failed, error: 'lock_wait_timeout', session_id: null };
    expect(SpawnerResult.safeParse(lock).success).toBe(true);
  });

  test('SpawnerResult: error exactly when success is false; session_id null only for lock_wait_timeout', () => {
    const paths = (v: unknown) => {
      const r = SpawnerResult.safeParse(v);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ ...okResult, error: 'x' })).toEqual(['error']);
    expect(paths({ ...okResult, success: false })).toEqual(['error']);
    expect(paths({ ...okResult, session_id: null })).toEqual(['session_id']);
    expect(paths({ ...okResult, output: '' })).toEqual(['output']);
  });

  test('SessionRow parses pg shapes (Date, NUMERIC string) and strips unknown columns', () => {
    const parsed = SessionRow.parse(row);
    expect(parsed.completed_at).toEqual(new Date('2026-02-16T10:00:01.500Z'));
    expect(parsed.cost_usd).toBe(0.000035);
    expect('some_future_column' in parsed).toBe(false);
  });

  test('SessionRow refinement: error iff status error; completed_at iff finished', () => {
    const codes = (v: unknown) => {
      const r = SessionRow.safeParse(v);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(codes({ ...row, status: 'error' })).toEqual(['error']);
    expect(codes({ ...row, status: 'error', error: 'interrupted' })).toEqual([]);
    expect(codes({ ...row, error: 'boom' })).toEqual(['error']);
    expect(codes({ ...row, completed_at: null })).toEqual(['completed_at']);
    expect(codes({ ...row, status: 'running' })).toEqual(['completed_at']);
    expect(codes({ ...row, status: 'running', completed_at: null })).toEqual([]);
    expect(codes({ ...row, completed_at: '2026-02-16T09:00:00Z' })).toEqual(['completed_at']);
  });

  test('TriggerSource is exactly external|heartbeat|scheduled|test', () => {
    expect(TriggerSource.options).toEqual(['external', 'heartbeat', 'scheduled', 'test']);
    expect(TriggerSource.safeParse('cron').success).toBe(false);
  });

  test('RouteResult: both arms, and an unknown error code refused', () => {
    expect(RouteResult.safeParse({ ok: true, result: {}, duration_ms: 3, client: 'new', route_contract_version: 'v1' }).success).toBe(true);
    const failed = { ok: false, error: 'target_quarantined', error_class: 'eligibility', message: 'health is quarantined', duration_ms: 0 };
    expect(RouteResult.safeParse(failed).success).toBe(true);
    expect(RouteResult.safeParse({ ...failed, error: 'nope' }).success).toBe(false);
    expect(RouteResult.safeParse({ ...failed, ok: true }).success).toBe(false);
  });
});
