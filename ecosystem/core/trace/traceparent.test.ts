import { expect, test } from '@playwright/test';
import { startSpan, type FinishedSpan } from './span.ts';
import { childContext, formatTraceparent, newSpanId, newTraceId, parseTraceparent } from './traceparent.ts';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('parses and formats W3C traceparent values', () => {
  expect(parseTraceparent(VALID)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' });
  expect(formatTraceparent(parseTraceparent(VALID)!)).toBe(VALID);
  // A future version may append fields; version 00 may not.
  expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra')?.spanId).toBe('00f067aa0ba902b7');
  for (const bad of [
    undefined, 42, '', 'garbage',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
  ]) {
    expect(parseTraceparent(bad), String(bad)).toBeNull();
  }
});

test('child contexts keep the trace and get a fresh span id; no parent starts a new trace', () => {
  const parent = parseTraceparent(VALID)!;
  const child = childContext(parent);
  expect(child.traceId).toBe(parent.traceId);
  expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
  expect(child.spanId).not.toBe(parent.spanId);
  const root = childContext(null);
  expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(root.flags).toBe('01');
  expect(new Set(Array.from({ length: 50 }, newTraceId)).size).toBe(50);
  expect(new Set(Array.from({ length: 50 }, newSpanId)).size).toBe(50);
});

test('spans continue their parent and report once to the exporter', () => {
  const done: FinishedSpan[] = [];
  const span = startSpan('spawner.session', VALID, { kind: 'task' }, (s) => done.push(s));
  expect(span.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  expect(span.parentSpanId).toBe('00f067aa0ba902b7');
  span.setAttributes({ model: 'm' });
  span.end({ error: 'timeout' });
  span.end();
  expect(done).toHaveLength(1);
  expect(done[0]).toMatchObject({ name: 'spawner.session', attributes: { kind: 'task', model: 'm' }, error: 'timeout', parentSpanId: '00f067aa0ba902b7' });
  expect(startSpan('root', 'not-a-traceparent').parentSpanId).toBeNull();
});
