import { expect, test } from '@playwright/test';
import { looksLikeSecret, scanForSecrets, secretValues } from './secret-scan.ts';

test('finds each credential pattern by key path, never returning the value', () => {
  const committed = {
    butler: { name: 'health', description: 'no secrets here, just a token of thanks' },
    runtime: { model: 'sk-ant-api03-abcdefghijklmnop' },
    modules: { telegram: { bot: '123456789:AAHk2mZ0abcdefghijklmnopqrstuvwxyz12' } },
    misc: {
      gh: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      slack: 'xoxb-1234567890-abcdef',
      aws: 'AKIAABCDEFGHIJKLMNOP',
      pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIE...',
      list: ['fine', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    },
    db: { password: 'hunter22' },
    env: { optional_env_vars: ['HEALTH_DEVICE_TOKEN'] },
    module_cfg: { token_env: 'BUTLER_TELEGRAM_TOKEN' },
  };
  const findings = scanForSecrets(committed);
  expect(findings).toEqual([
    { key: 'runtime.model', pattern: 'anthropic_api_key' },
    { key: 'modules.telegram.bot', pattern: 'telegram_bot_token' },
    { key: 'misc.gh', pattern: 'github_token' },
    { key: 'misc.slack', pattern: 'slack_token' },
    { key: 'misc.aws', pattern: 'aws_access_key_id' },
    { key: 'misc.pem', pattern: 'pem_private_key' },
    { key: 'misc.list[1]', pattern: 'github_token' },
    { key: 'db.password', pattern: 'literal_under_sensitive_key' },
  ]);
  expect(JSON.stringify(findings)).not.toContain('hunter22');
  // The matched text alone goes to the redactor, so surrounding words stay readable.
  expect(secretValues({ d: 'via 123456789:AAHk2mZ0abcdefghijklmnopqrstuvwxyz12 bot', db: { password: 'hunter22' } })).toEqual([
    '123456789:AAHk2mZ0abcdefghijklmnopqrstuvwxyz12',
    'hunter22',
  ]);
  expect(looksLikeSecret('AKIAABCDEFGHIJKLMNOP')).toBe(true);
  expect(looksLikeSecret('http://127.0.0.1:8100/mcp')).toBe(false);
});

test('a clean roster config yields nothing', () => {
  expect(scanForSecrets({ butler: { name: 'general', port: 8101, capabilities: ['lists', 'notes'] }, schedule: [{ name: 'x', cron: '0 9 * * *' }] })).toEqual([]);
});
