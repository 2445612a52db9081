import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { test, expect } from '../../fixtures/index.ts';
import { holdSession, toolNames } from './session-probe.ts';

const sha = (v: string) => createHash('sha256').update(v).digest('hex');
/** What a session may see whatever its butler (docs/ecosystem.md §10.2); a butler adds its declared and module variables. */
const ALWAYS_ALLOWED = ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'TRACEPARENT', 'TRACESTATE', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_BSP_SCHEDULE_DELAY'];
const CANARIES = ['E2E_CANARY_SECRET', 'GITHUB_TOKEN', 'SSH_AUTH_SOCK', 'DATABASE_URL'];

test.describe('the session sandbox, read from /proc while the session is held', () => {
  test('SEC-01 a session sees only the allowed variables: no canary name or value, no PATH or HOME', async ({ ecosystem, mcp, model, tag }) => {
    const daemonEnv = ecosystem.supervisor.spec('health').env;
    const s = await holdSession({ ecosystem, model, butler: 'health', tag }, async () =>
      (await mcp('health')).call('trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag }),
    );
    await s.finish();
    const allowed = new Set([...ALWAYS_ALLOWED, 'HEALTH_DEVICE_TOKEN']);
    expect(Object.keys(s.env).filter((k) => !allowed.has(k)), 'variables outside the allowed set').toEqual([]);
    for (const name of [...CANARIES, 'PATH', 'HOME']) expect(s.env[name], name).toBeUndefined();
    const values = Object.values(s.env).join('\n');
    for (const name of CANARIES) expect(values.includes(daemonEnv[name]), `the value of ${name}`).toBe(false);
  });

  test('SEC-02 each butler\'s session gets its own declared variable and not another butler\'s', async ({ ecosystem, mcp, model, tag }) => {
    const seen: Record<string, string[]> = {};
    for (const butler of ['health', 'relationship']) {
      const s = await holdSession({ ecosystem, model, butler, tag: `${tag}-${butler}` }, async () =>
        (await mcp(butler)).call('trigger', { prompt: 'Say hello', trigger_source: 'test', tag: `${tag}-${butler}` }),
      );
      await s.finish();
      seen[butler] = Object.keys(s.env).filter((k) => k.endsWith('_TOKEN'));
      // Compared as hashes, like SEC-03's key: an expect step's expected value is written into blob reports.
      const own = butler === 'health' ? 'HEALTH_DEVICE_TOKEN' : 'RELATIONSHIP_CONTACTS_TOKEN';
      expect(s.env[own], own).toBeTruthy();
      expect(sha(s.env[own]!), `the value of ${own}`).toBe(sha(ecosystem.supervisor.spec(butler).env[own]!));
    }
    expect(seen).toEqual({ health: ['HEALTH_DEVICE_TOKEN'], relationship: ['RELATIONSHIP_CONTACTS_TOKEN'] });
  });

  test('SEC-03 the session\'s API key is the one its daemon was given', async ({ ecosystem, mcp, model, tag }) => {
    const s = await holdSession({ ecosystem, model, butler: 'health', tag }, async () =>
      (await mcp('health')).call('trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag }),
    );
    await s.finish();
    expect(s.env.ANTHROPIC_API_KEY).toBeTruthy();
    expect(sha(s.env.ANTHROPIC_API_KEY)).toBe(sha(ecosystem.supervisor.spec('health').env.ANTHROPIC_API_KEY));
  });

  test('SEC-04 a module credential reaches only the butlers that enable that module', async ({ ecosystem, mcp, model, butlers, tag }) => {
    const token = `${Math.floor(Math.random() * 1e9)}:AAE${sha(tag).slice(0, 32)}`;
    const got: Record<string, string | undefined> = {};
    for (const butler of ['messenger', 'health']) {
      await butlers.restart(butler, { env: { BUTLER_TELEGRAM_TOKEN: token } });
      const s = await holdSession({ ecosystem, model, butler, tag: `${tag}-${butler}` }, async () =>
        (await mcp(butler)).call('trigger', { prompt: 'Say hello', trigger_source: 'test', tag: `${tag}-${butler}` }),
      );
      await s.finish();
      got[butler] = s.env.BUTLER_TELEGRAM_TOKEN;
    }
    expect(got).toEqual({ messenger: token, health: undefined });
  });

  test('SEC-05 the MCP config names one server, the butler\'s own URL with only the token header; 0600; deleted afterwards', async ({ ecosystem, mcp, model, tag }) => {
    const s = await holdSession({ ecosystem, model, butler: 'health', tag }, async () =>
      (await mcp('health')).call('trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag }),
    );
    const servers = Object.values(s.mcpConfig.mcpServers);
    expect(servers).toHaveLength(1);
    expect(servers[0].url).toBe(ecosystem.butlers.health.url);
    expect(Object.keys(servers[0].headers)).toEqual(['x-butlers-session-token']);
    expect(s.mcpConfigMode.toString(8)).toBe('600');
    await s.finish();
    expect(existsSync(s.mcpConfigPath), 'config removed when the session ended').toBe(false);
  });

  test('SEC-09 a session token cannot reach operator tools, and a made-up token is refused with 401', async ({ ecosystem, mcp, model, tag }) => {
    const s = await holdSession({ ecosystem, model, butler: 'relationship', tag }, async () =>
      (await mcp('relationship')).call('trigger', { prompt: 'Say hello', trigger_source: 'test', tag }),
    );
    try {
      const asSession = await ecosystem.butlers.relationship.connect('streamable', { 'x-butlers-session-token': s.token });
      try {
        for (const tool of ['trigger', 'tick', 'approval_decide']) {
          // Either an isError result or the protocol error the SDK raises: the tool does not exist for this caller.
          const answer = await asSession.callTool(tool, {}).then(
            (out) => (out.isError ? out.text : `ran: ${out.text}`),
            (err: Error) => err.message,
          );
          expect(answer, tool).toMatch(/not found/i);
        }
      } finally {
        await asSession.close();
      }
      const forged = await fetch(ecosystem.butlers.relationship.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-butlers-session-token': 'made-up-token' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'forger', version: '0' } } }),
      });
      expect(forged.status).toBe(401);
    } finally {
      await s.finish();
    }
  });

  test('SEC-06 a health session is offered exactly health\'s session tools: no operator, pipeline or other butler\'s tools', async ({ ecosystem, mcp, model, tag }) => {
    const control = model.requireDouble();
    const s = await holdSession({ ecosystem, model, butler: 'health', tag }, async () =>
      (await mcp('health')).call('trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag }),
    );
    const asSession = await ecosystem.butlers.health.connect('streamable', { 'x-butlers-session-token': s.token });
    const sessionTools = await toolNames(asSession);
    await asSession.close();
    await s.finish();
    const offered = [...new Set((await control.requests({ session_id: s.sessionId })).flatMap((e) => e.tools))].sort();
    expect(offered, 'what the model was offered = what the session token may list').toEqual(sessionTools);
    const operator = await toolNames(await mcp('health'));
    for (const t of ['trigger', 'tick', 'approvals_list', 'approval_decide']) {
      expect(operator).toContain(t);
      expect(offered).not.toContain(t);
    }
    for (const foreign of ['contact_add', 'ingest', 'classify', 'dispatch', 'route', 'registry_register', 'notification_log']) expect(offered).not.toContain(foreign);
    expect(offered).toEqual(expect.arrayContaining(['measurement_log', 'state_get']));
  });

  test('SEC-07 a forced call of another butler\'s tool is tool-not-found and writes nothing anywhere', async ({ mcp, sql, model, tag }) => {
    model.requireDouble();
    await model.fault({ match: { butler: 'health', tag }, action: { type: 'tool_use', name: 'contact_add', input: { name: tag } } });
    const r = (await (await mcp('health')).call('trigger', { prompt: 'Log weight 80kg', trigger_source: 'test', tag })) as { tool_calls: { name: string; is_error: boolean }[]; success: boolean };
    const forced = r.tool_calls.find((c) => c.name === 'contact_add');
    expect(forced?.is_error).toBe(true);
    expect((await sql('relationship').query('select 1 from contacts where name like $1', [`%${tag}%`])).rowCount).toBe(0);
    expect(r.success).toBe(true);
  });

  test('SEC-08 a switchboard classification session sees registry_list but none of the pipeline or registry-changing tools', async ({ ecosystem, mcp, model, tag }) => {
    const s = await holdSession({ ecosystem, model, butler: 'switchboard', tag }, async () =>
      (await mcp('switchboard')).call('classify', { text: 'Log my weight: 80kg', tag }),
    );
    const asSession = await ecosystem.butlers.switchboard.connect('streamable', { 'x-butlers-session-token': s.token });
    const names = await toolNames(asSession);
    await asSession.close();
    await s.finish();
    expect(names).toContain('registry_list');
    for (const t of ['ingest', 'classify', 'dispatch', 'route', 'registry_register', 'registry_set_eligibility', 'registry_health_check', 'route_cache_clear', 'trigger', 'tick']) {
      expect(names, t).not.toContain(t);
    }
  });
});
