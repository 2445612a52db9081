import { expect, test } from '@playwright/test';
import { butlerObjectName, createDatabaseOptions } from './provision.ts';

test('butler object names carry the run suffix and respect PostgreSQL identifier rules', () => {
  expect(butlerObjectName('health')).toBe('butler_health');
  expect(butlerObjectName('health', '_r1a2b_w3')).toBe('butler_health_r1a2b_w3');
  expect(() => butlerObjectName('Health')).toThrow('butler name "Health" must match /^[a-z][a-z0-9_]*$/ to name a database; rename the roster folder');
  expect(() => butlerObjectName('health', '-w0')).toThrow('database suffix "-w0" must match');
  expect(() => butlerObjectName('health', `_${'x'.repeat(60)}`)).toThrow("exceeds PostgreSQL's 63-character limit");
});

test('CREATE DATABASE uses FILE_COPY from PostgreSQL 15 and an optional template', () => {
  expect(createDatabaseOptions('14.11')).toBe('');
  expect(createDatabaseOptions('15.18')).toBe(' STRATEGY FILE_COPY');
  expect(createDatabaseOptions('17.10', 'butler_template')).toBe(' TEMPLATE "butler_template" STRATEGY FILE_COPY');
});
