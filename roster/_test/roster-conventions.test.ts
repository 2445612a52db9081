import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'smol-toml';
import { toolInputJsonSchema } from '../../ecosystem/core/json-schema.ts';
import { rosterDir } from '../../ecosystem/testing/butler-db.ts';
import { loadButlerTools, rosterButlers } from '../../ecosystem/testing/roster-tools.ts';

interface Expected {
  port: number;
  routable: boolean;
  modules: string[];
  tools: string[];
  optionalEnv: string[];
  gates?: { tool: string; approval_mode: string }[];
  schedules: string[];
}

// docs/ecosystem.md §3, §7, §8.6 (registry_health_check/route_cache_clear come with the pipeline).
const EXPECTED: Record<string, Expected> = {
  switchboard: { port: 8100, routable: false, modules: ['email', 'telegram'], tools: ['classify', 'dispatch', 'ingest', 'registry_health_check', 'registry_list', 'registry_register', 'registry_set_eligibility', 'route', 'route_cache_clear'], optionalEnv: [], schedules: [] },
  general: {
    port: 8101, routable: true, modules: ['memory'], optionalEnv: [], schedules: [],
    tools: ['collection_create', 'collection_list', 'entity_create', 'entity_delete', 'entity_get', 'entity_search', 'entity_update'],
  },
  relationship: {
    port: 8102, routable: true, modules: ['calendar', 'memory'], optionalEnv: ['RELATIONSHIP_CONTACTS_TOKEN'], schedules: [],
    tools: ['contact_add', 'contact_delete', 'interaction_log', 'reminder_set'],
    gates: [{ tool: 'contact_delete', approval_mode: 'always' }],
  },
  health: {
    port: 8103, routable: true, modules: ['memory'], optionalEnv: ['HEALTH_DEVICE_TOKEN'], schedules: ['daily-summary', 'weekly-review'],
    tools: ['measurement_log', 'medication_add', 'medication_stop', 'symptom_log'],
    gates: [{ tool: 'medication_stop', approval_mode: 'always' }],
  },
  messenger: {
    port: 8104, routable: true, modules: ['email', 'email_digest', 'telegram'], optionalEnv: [], schedules: [], tools: ['notification_log'],
    gates: [{ tool: 'notification_log', approval_mode: 'conditional' }, { tool: 'email_send', approval_mode: 'conditional' }],
  },
  heartbeat: { port: 8199, routable: false, modules: [], tools: [], optionalEnv: [], schedules: ['heartbeat-cycle'] },
};

// Parsed TOML is untyped by nature; the assertions below are the type check.
type Toml = Record<string, any>;
const readToml = (butler: string): Toml => parse(readFileSync(join(rosterDir, butler, 'butler.toml'), 'utf8')) as Toml;

test('the roster holds exactly the six butlers', () => {
  expect(rosterButlers()).toEqual(Object.keys(EXPECTED).sort());
});

for (const [butler, want] of Object.entries(EXPECTED)) {
  test(`${butler}: butler.toml follows docs/ecosystem.md §2/§3`, () => {
    const toml = readToml(butler);
    expect(toml.butler).toMatchObject({ name: butler, port: want.port });
    expect(toml.butler.routable ?? true).toBe(want.routable);
    expect(toml.butler.description).toMatch(/^[^\n]{80,}$/);
    expect(Array.isArray(toml.butler.capabilities) && toml.butler.capabilities.length).toBeTruthy();
    expect(Object.keys(toml.modules ?? {}).sort()).toEqual(want.modules);
    for (const m of want.modules) expect(toml.modules[m]).toEqual({ enabled: true });
    expect(toml.env?.optional_env_vars ?? []).toEqual(want.optionalEnv);
    expect(toml.db, 'db settings come from the staging overlay').toBeUndefined();
    expect(((toml.schedule ?? []) as Toml[]).map((s) => s.name)).toEqual(want.schedules);
    if (want.gates) {
      expect(toml.approval_gates).toEqual({ mode: 'conditional', gated_tools: want.gates });
    } else {
      expect(toml.approval_gates).toBeUndefined();
    }
    const text = readFileSync(join(rosterDir, butler, 'butler.toml'), 'utf8');
    expect(text).not.toMatch(/sk-ant-|ghp_|xox[bp]-|AKIA[0-9A-Z]{16}|PRIVATE KEY|\d{5,}:[A-Za-z0-9_-]{35,}/);
    expect(text).not.toMatch(/^\s*\w*(password|secret|token)\w*\s*=/im);
    const prompt = readFileSync(join(rosterDir, butler, 'CLAUDE.md'), 'utf8');
    expect(prompt.length).toBeGreaterThan(400);
  });
}

test('declared schedules match docs/ecosystem.md §3', () => {
  expect(readToml('health').schedule).toEqual([
    { name: 'daily-summary', cron: '0 9 * * *', prompt: "Generate a summary of yesterday's activities", enabled: true },
    { name: 'weekly-review', cron: '0 10 * * 1', prompt: "Review this week's health trends", enabled: true },
  ]);
  const [cycle] = readToml('heartbeat').schedule as Toml[];
  expect(cycle).toMatchObject({ name: 'heartbeat-cycle', cron: '*/10 * * * *', target: '*', enabled: true });
  expect(cycle.prompt).toMatch(/pending work/i);
  expect(existsSync(join(rosterDir, 'heartbeat', 'migrations'))).toBe(false);
});

const ALLOWED_KEYS = new Set(['type', 'enum', 'format', 'minimum', 'maximum', 'examples', 'description', 'default', 'items', 'minLength', 'maxLength', 'pattern', 'additionalProperties']);

for (const [butler, want] of Object.entries(EXPECTED)) {
  test(`${butler}: tools load, and follow the schema conventions of docs/ecosystem.md §5`, async () => {
    const tools = await loadButlerTools(butler);
    expect(tools.map((t) => t.name).sort()).toEqual(want.tools);
    for (const tool of tools) {
      expect(tool.description, tool.name).toContain('Use when:');
      // The description ends with the Use when: list, optionally followed by Kinds:.
      expect(tool.description, tool.name).toMatch(/\n\nUse when: [^\n]+\.(\nKinds: [^\n]+\.)?$/);
      expect(tool.description, `${tool.name}: plain text, no markup`).not.toMatch(/[<>`*]/);
      const schema = toolInputJsonSchema(tool.input);
      expect(schema.type).toBe('object');
      for (const [prop, def] of Object.entries(schema.properties)) {
        for (const key of Object.keys(def)) expect(ALLOWED_KEYS.has(key), `${tool.name}.${prop}: keyword ${key}`).toBe(true);
        expect(typeof def.description, `${tool.name}.${prop} needs a description`).toBe('string');
      }
    }
  });
}

test('intents and schemas carry the minimum content of docs/ecosystem.md §7', async () => {
  const all = (await Promise.all(Object.keys(EXPECTED).map((b) => loadButlerTools(b)))).flat();
  const props = (name: string) => {
    const tool = all.find((t) => t.name === name);
    if (!tool) throw new Error(`tool ${name} missing`);
    return { ...toolInputJsonSchema(tool.input), description: tool.description };
  };
  const m = props('measurement_log');
  expect(m.properties.type.examples).toEqual(expect.arrayContaining(['weight', 'blood_pressure', 'heart_rate', 'temperature']));
  expect(m.properties.value.type).toBe('number');
  expect(m.properties.unit.examples).toEqual(expect.arrayContaining(['kg', 'lb', 'mmHg', 'bpm', '°C']));
  expect(m.description).toMatch(/Kinds: weight, blood pressure, heart rate, temperature/);
  const add = props('medication_add');
  expect(add.properties.dosage.examples).toContain('500mg');
  expect(add.properties.frequency.examples).toEqual(expect.arrayContaining(['twice daily', 'every 8 hours']));
  expect(add.required).toEqual(['name']);
  const s = props('symptom_log');
  expect(s.properties.name.examples).toEqual(expect.arrayContaining(['headache', 'pain', 'nausea', 'fever', 'fatigue']));
  expect(s.properties.severity).toMatchObject({ type: 'integer', minimum: 0, maximum: 10 });
  expect(props('interaction_log').properties.kind.enum).toEqual(['call', 'meeting', 'message', 'gift', 'other']);
  const r = props('reminder_set');
  expect(r.properties.due_at.format).toBe('date-time');
  expect(r.required?.sort()).toEqual(['due_at', 'message']);
  const n = props('notification_log');
  expect(n.properties.channel.enum).toEqual(['telegram', 'email']);
  expect(n.required?.sort()).toEqual(['body', 'channel']);
  expect(props('contact_add').required).toEqual(['name']);
  expect(props('contact_delete').properties.contact_id.format).toBe('uuid');
});
