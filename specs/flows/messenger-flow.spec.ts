import { test, expect } from '../../fixtures/index.ts';

test('FLW-13 a notification request is routed to messenger and queued under the request id', async ({ pipeline, approver, model, sql, tag }) => {
  model.require();
  approver.approveByTag(tag);
  const { requestId, classification } = await pipeline.run('Send me a Telegram notification reminding me to call Mom tomorrow');
  expect(classification.entries.map((e) => e.butler)).toContain('messenger');
  const { rows } = await sql('messenger').query('select channel, status from notification_log where request_id = $1', [requestId]);
  expect(rows.length, 'a notification_log row for the request').toBeGreaterThan(0);
  for (const r of rows) {
    expect(['telegram', 'email']).toContain(r.channel);
    expect(r.status).toBe('queued');
  }
});
