import { expect, test } from '@playwright/test';
import { PassThrough } from 'node:stream';
import { awaitLaunch, launchArgs } from './warm.ts';

test('a warm spare takes its argv from one JSON line and refuses anything else', () => {
  expect(launchArgs('{"argv":["--roster","roster/health","--overlay","/tmp/o.toml"]}')).toEqual(['--roster', 'roster/health', '--overlay', '/tmp/o.toml']);
  expect(() => launchArgs('--roster roster/health')).toThrow('launch line is not JSON');
  expect(() => launchArgs('{"argv":"--roster"}')).toThrow('"argv": an array of strings');
  expect(() => launchArgs('{"argv":["--roster",1]}')).toThrow('"argv": an array of strings');
  expect(() => launchArgs('{"argv":["--warm"]}')).toThrow('cannot ask for --warm again');
  expect(() => launchArgs(`{"argv":["${'x'.repeat(70_000)}"]}`)).toThrow('longer than');
});

test('a warm spare resolves with the first line, or null when stdin ends first', async () => {
  const a = new PassThrough();
  const launched = awaitLaunch(a);
  a.write('{"argv":["--roster","r"]}\n{"ignored":true}\n');
  expect(await launched).toBe('{"argv":["--roster","r"]}');

  const b = new PassThrough();
  const unused = awaitLaunch(b);
  b.end();
  expect(await unused).toBeNull();
});
