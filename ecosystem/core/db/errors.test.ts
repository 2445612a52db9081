import { expect, test } from '@playwright/test';
import { asDatabaseError } from './errors.ts';

const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });

test('a statement cancelled by statement_timeout is statement_timeout, naming the limit', () => {
  expect(asDatabaseError(pgError('canceling statement due to statement timeout', '57014'), { statementTimeoutMs: 2000 })).toEqual({
    error: 'statement_timeout',
    message: expect.stringContaining('(2000 ms)'),
  });
  expect(asDatabaseError(pgError('canceling statement due to user request', '57014'))?.error).toBe('query_cancelled');
});

test("pg-pool's acquire timeout is pool_acquire_timeout", () => {
  expect(asDatabaseError(new Error('timeout exceeded when trying to connect'), { acquireTimeoutMs: 500 })).toEqual({
    error: 'pool_acquire_timeout',
    message: expect.stringContaining('(500 ms)'),
  });
});

test('a refused or terminated connection is db_unavailable; anything else is not a database condition', () => {
  expect(asDatabaseError(pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))?.error).toBe('db_unavailable');
  expect(asDatabaseError(pgError('terminating connection due to administrator command', '57P01'))?.error).toBe('db_unavailable');
  expect(asDatabaseError(new Error('Connection terminated unexpectedly'))?.error).toBe('db_unavailable');
  expect(asDatabaseError(pgError('duplicate key value violates unique constraint', '23505'))).toBeNull();
  expect(asDatabaseError(new Error('boom'))).toBeNull();
  expect(asDatabaseError('not an error')).toBeNull();
});
