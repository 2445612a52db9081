import fc from 'fast-check';
import { ClassifyResult, DispatchResult } from '../../contracts/index.ts';
import { expect, test } from '../../fixtures/index.ts';
import type { McpHandle } from '../../staging/mcp/client.ts';

/**
 * Property-based checks of the two contracts after ingest (docs/contracts.md
 * §3, §4), through the running switchboard. Every generated case carries its
 * expected outcome by construction (each classification element knows the
 * warning it must cause; each plan knows the first rule it breaks), so the
 * oracle is the spec's rule table, not the ecosystem's parser.
 */
const seed = process.env.E2E_FC_SEED ? Number(process.env.E2E_FC_SEED) : undefined;
test.describe.configure({ timeout: 300_000 });

async function check<T>(property: fc.IAsyncProperty<T>, params: fc.Parameters<T>) {
  const d = await fc.check(property, { seed, ...params });
  if (!d.failed) return;
  const cause = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
  throw new Error(`property failed after ${d.numRuns} run(s), shrunk ${d.numShrinks} time(s); replay with E2E_FC_SEED=${d.seed} (path ${d.counterexamplePath})\n${cause}`);
}

// ── Classification replies (§3) ──────────────────────────────────────────────

type Outcome = { accept: { butler: string; prompt: string; segment: Record<string, unknown> }; segmentEmpty: boolean } | { warning: string; butler?: string };
interface Element {
  value: unknown;
  outcome: Outcome;
}

const nonBlank = fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim() !== '');
const validSegment = fc
  .record(
    {
      rationale: fc.string({ maxLength: 40 }),
      offsets: fc.record({ start: fc.nat(500), end: fc.nat(500) }),
      sentence_spans: fc.array(fc.tuple(fc.nat(500), fc.nat(500)), { minLength: 0, maxLength: 3 }),
    },
    { requiredKeys: [] },
  )
  .filter((s) => Object.keys(s).length > 0);
const extraKeys = fc.dictionary(fc.constantFrom('confidence', 'reason', 'priority', 'notes'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 });

function elements(eligible: string[], ineligible: string[]): fc.Arbitrary<Element> {
  const accepted = fc.tuple(fc.constantFrom(...eligible), nonBlank, validSegment, extraKeys, extraKeys).map(([butler, prompt, segment, extra, segExtra]) => ({
    value: { ...extra, butler, prompt, segment: { ...segExtra, ...segment } },
    outcome: { accept: { butler, prompt, segment }, segmentEmpty: false } as Outcome,
  }));
  const emptySegment = fc.tuple(fc.constantFrom(...eligible), nonBlank, fc.constantFrom<unknown>({}, { confidence: 1 }, 'x', null, [])).map(([butler, prompt, segment]) => ({
    value: { butler, prompt, segment },
    outcome: { accept: { butler, prompt, segment: {} }, segmentEmpty: true } as Outcome,
  }));
  const missingKeys = fc.oneof(
    fc.tuple(fc.constantFrom('butler', 'prompt', 'segment'), fc.constantFrom(...eligible), nonBlank).map(([drop, butler, prompt]) => {
      const v: Record<string, unknown> = { butler, prompt, segment: { rationale: 'r' } };
      delete v[drop];
      return v;
    }),
    fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
  ).map((value) => ({ value, outcome: { warning: 'entry_missing_keys' } as Outcome }));
  const names = new Set([...eligible, ...ineligible]);
  const unknown = fc.tuple(nonBlank.filter((s) => !names.has(s)), nonBlank).map(([butler, prompt]) => ({
    value: { butler, prompt, segment: { rationale: 'r' } },
    outcome: { warning: 'unknown_butler', butler } as Outcome,
  }));
  const emptyPrompt = fc.tuple(fc.constantFrom(...eligible), fc.constantFrom<unknown>('', ' ', '\n', 42, null)).map(([butler, prompt]) => ({
    value: { butler, prompt, segment: { rationale: 'r' } },
    outcome: { warning: 'empty_prompt', butler } as Outcome,
  }));
  const arbs = [accepted, accepted, emptySegment, missingKeys, unknown, emptyPrompt];
  if (ineligible.length) {
    arbs.push(fc.tuple(fc.constantFrom(...ineligible), nonBlank).map(([butler, prompt]) => ({ value: { butler, prompt, segment: { rationale: 'r' } }, outcome: { warning: 'ineligible_butler', butler } as Outcome })));
  }
  return fc.oneof(...arbs);
}

type Reply = { kind: 'json' | 'fenced' | 'prose-around' | 'prose' | 'empty'; elements: Element[]; action: Record<string, unknown> };
function replies(eligible: string[], ineligible: string[]): fc.Arbitrary<Reply> {
  const els = fc.array(elements(eligible, ineligible), { minLength: 1, maxLength: 5 });
  return fc.oneof(
    els.map((elements) => ({ kind: 'json' as const, elements, action: { type: 'json', value: elements.map((e) => e.value) } })),
    els.map((elements) => ({ kind: 'fenced' as const, elements, action: { type: 'text', text: `Here you go:\n\`\`\`json\n${JSON.stringify(elements.map((e) => e.value))}\n\`\`\`` } })),
    els.map((elements) => ({ kind: 'prose-around' as const, elements, action: { type: 'text', text: `Routing: ${JSON.stringify(elements.map((e) => e.value))} (done).` } })),
    // Not "": an empty answer is no output at all, so the session fails (empty_output) and the reason is llm_error (CON-21, CON-43).
    fc.constantFrom('Sure! I think this is about health.', 'health, relationship', '{"butler": "health"}', '[not json]').map((text) => ({ kind: 'prose' as const, elements: [], action: { type: 'text', text } })),
    fc.constant<Reply>({ kind: 'empty', elements: [], action: { type: 'json', value: [] } }),
  );
}

function expected(r: Reply, text: string) {
  if (r.kind === 'prose' || r.kind === 'empty') {
    const reason = r.kind === 'prose' ? 'parse_error' : 'empty';
    return { entries: [{ butler: 'general', prompt: text, segment: { rationale: `fallback: ${reason}` } }], fallback: true, fallback_reason: reason, warnings: [] as unknown[] };
  }
  const entries: unknown[] = [];
  const warnings: unknown[] = [];
  r.elements.forEach((e, index) => {
    if ('warning' in e.outcome) warnings.push({ code: e.outcome.warning, index, ...(e.outcome.butler !== undefined ? { butler: e.outcome.butler } : {}) });
    else {
      entries.push(e.outcome.accept);
      if (e.outcome.segmentEmpty) warnings.push({ code: 'segment_missing_metadata', index, butler: e.outcome.accept.butler });
    }
  });
  if (entries.length === 0) return { entries: [{ butler: 'general', prompt: text, segment: { rationale: 'fallback: no_valid_entries' } }], fallback: true, fallback_reason: 'no_valid_entries', warnings };
  return { entries, fallback: false, warnings };
}

test('generated classification replies (through the double) are parsed exactly as the contract says: entries kept, skipped with their warning, or the general fallback', async ({ ecosystem, sql, model, tag }, testInfo) => {
  const control = model.requireDouble();
  const registry = (await sql('switchboard').query<{ name: string; ok: boolean }>(`select name, (eligibility_state = 'active' and routable) as ok from butler_registry`)).rows;
  const eligible = registry.filter((r) => r.ok).map((r) => r.name);
  const ineligible = registry.filter((r) => !r.ok).map((r) => r.name);
  const client: McpHandle = await ecosystem.butlers.switchboard.connect();
  let i = 0;
  const kinds = new Map<string, number>();
  const faults: string[] = [];
  try {
    await check(
      fc.asyncProperty(replies(eligible, ineligible), async (reply) => {
        const ctag = `${tag}-c${i++}`;
        const text = `Message ${ctag}: log weight 80kg and call Anna`;
        faults.push((await control.addFault({ match: { tag: ctag }, action: reply.action as never, times: 1 })).id);
        const raw = await client.callTool('classify', { text, tag: ctag }, { timeoutMs: 60_000 });
        ClassifyResult.parse(raw.data);
        const want = expected(reply, text);
        // The raw answer, not the parsed copy: the shared schema strips unknown keys, so a leaked extra key would be invisible.
        const { session_id: _s, ...got } = raw.data as Record<string, unknown>;
        expect(got, `reply (${reply.kind}): ${JSON.stringify(reply.action).slice(0, 1500)}`).toEqual(want);
        kinds.set(reply.kind, (kinds.get(reply.kind) ?? 0) + 1);
      }),
      { numRuns: 60 },
    );
  } finally {
    for (const id of faults) await control.removeFault(id).catch(() => {});
    await client.close();
  }
  const line = `contracts: ${i} generated classification replies, each parsed as the contract says (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`;
  console.log(line);
  await testInfo.attach('generated-classifications', { body: line, contentType: 'text/plain' });
});

// ── Fan-out plans (§4) ───────────────────────────────────────────────────────

const MODES = ['parallel', 'ordered', 'conditional'];
const JOINS = ['wait_for_all', 'first_success'];
const ABORTS = ['continue', 'on_required_failure', 'on_any_failure'];
const RUN_IFS = ['success', 'completed', 'always'];
const oneOfOr = (valid: string[]) => fc.oneof({ weight: 6, arbitrary: fc.option(fc.constantFrom(...valid), { nil: undefined }) }, { weight: 1, arbitrary: fc.constantFrom('invalid', 'Parallel', 'sequential', '') });

interface PlanCase {
  entries: { butler: string; prompt: string; segment: Record<string, unknown> }[];
  policy: { mode?: string; join_policy?: string; abort_policy?: string };
  overrides: Record<string, { subrequest_id?: string; depends_on?: string[]; run_if?: string; required?: boolean }>;
}

const planCase: fc.Arbitrary<PlanCase> = fc.integer({ min: 0, max: 5 }).chain((n) =>
  fc.record({
    entries: fc.constant(Array.from({ length: n }, (_, i) => ({ butler: i % 2 ? 'relationship' : 'health', prompt: `task ${i + 1}`, segment: { rationale: `part ${i + 1}` } }))),
    policy: fc.record({ mode: oneOfOr(MODES), join_policy: oneOfOr(JOINS), abort_policy: oneOfOr(ABORTS) }, { requiredKeys: [] }),
    overrides: n === 0
      ? fc.constant({})
      : fc.dictionary(
          fc.integer({ min: 0, max: n - 1 }).map(String),
          fc.record(
            {
              subrequest_id: fc.constantFrom(...Array.from({ length: n }, (_, i) => `sr-${i + 1}`), 'custom-a'),
              depends_on: fc.array(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: n }).map((k) => `sr-${k}`) }, { weight: 1, arbitrary: fc.constantFrom('nonexistent', 'custom-a') }), { maxLength: 2 }),
              run_if: oneOfOr(RUN_IFS).filter((v) => v !== undefined),
              required: fc.boolean(),
            },
            { requiredKeys: [] },
          ),
          { maxKeys: n },
        ),
  }),
);

/** Plans whose dependencies form a DAG pointing only forward or only backward: ordering violations, valid ordered and conditional plans. */
const dagCase: fc.Arbitrary<PlanCase> = fc
  .tuple(fc.integer({ min: 2, max: 5 }), fc.constantFrom('forward', 'backward'), fc.constantFrom(...MODES), fc.option(fc.constantFrom(...RUN_IFS), { nil: undefined }))
  .chain(([n, dir, mode, runIf]) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { minLength: 1, maxLength: n }).map((pairs) => {
      const overrides: PlanCase['overrides'] = {};
      for (const [a, b] of pairs) {
        if (a === b) continue;
        const [from, to] = (dir === 'backward') === a > b ? [a, b] : [b, a]; // backward: a later one depends on an earlier one
        const o = (overrides[from] ??= { depends_on: [] });
        if (!o.depends_on!.includes(`sr-${to + 1}`)) o.depends_on!.push(`sr-${to + 1}`);
        if (runIf) o.run_if = runIf;
      }
      return {
        entries: Array.from({ length: n }, (_, i) => ({ butler: i % 2 ? 'relationship' : 'health', prompt: `task ${i + 1}`, segment: { rationale: `part ${i + 1}` } })),
        policy: { mode },
        overrides,
      };
    }),
  );

/** The first rule of the contract's table that the case breaks, in the table's order; null when the plan is valid. */
function firstBroken(c: PlanCase): string | null {
  const bad = (v: string | undefined, set: string[]) => v !== undefined && !set.includes(v);
  if (bad(c.policy.mode, MODES)) return 'invalid_fanout_mode';
  if (bad(c.policy.join_policy, JOINS)) return 'invalid_join_policy';
  if (bad(c.policy.abort_policy, ABORTS)) return 'invalid_abort_policy';
  for (let i = 0; i < c.entries.length; i++) if (bad(c.overrides[i]?.run_if, RUN_IFS)) return 'invalid_run_if';
  if (c.entries.length === 0) return 'empty_plan';
  const subs = c.entries.map((_, i) => ({ id: c.overrides[i]?.subrequest_id ?? `sr-${i + 1}`, deps: c.overrides[i]?.depends_on ?? [] }));
  if (new Set(subs.map((s) => s.id)).size !== subs.length) return 'duplicate_subrequest_id';
  const ids = new Set(subs.map((s) => s.id));
  if (subs.some((s) => s.deps.some((d) => !ids.has(d)))) return 'unknown_dependency';
  // A cycle: some id reaches itself through its dependencies (a self-dependency included).
  const deps = new Map(subs.map((s) => [s.id, s.deps]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    (deps.get(from) ?? []).some((d) => d === to || (!seen.has(d) && (seen.add(d), reaches(d, to, seen))));
  if (subs.some((s) => reaches(s.id, s.id))) return 'dependency_cycle';
  const mode = c.policy.mode ?? 'parallel';
  if (mode === 'parallel' && subs.some((s) => s.deps.length)) return 'dependencies_require_ordered_or_conditional';
  if (mode === 'ordered' && subs.some((s, i) => s.deps.some((d) => subs.findIndex((x) => x.id === d) >= i))) return 'ordering_violation';
  return null;
}

test('generated fan-out plans (dispatch dry run) are refused with the first broken rule, or built with the contract defaults', async ({ ecosystem, sql, tag }, testInfo) => {
  const client: McpHandle = await ecosystem.butlers.switchboard.connect();
  const before = (await sql('switchboard').query<{ n: number }>('select count(*)::int as n from fanout_execution_log')).rows[0].n;
  const seen = new Map<string, number>();
  let tried = 0;
  try {
    await check(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: planCase }, { weight: 1, arbitrary: dagCase }), async (c) => {
        tried++;
        const res = await client.callTool('dispatch', { entries: c.entries, policy: c.policy, overrides: c.overrides, dry_run: true, tag }, { timeoutMs: 30_000 });
        const broken = firstBroken(c);
        const why = `case: ${JSON.stringify(c)}`;
        seen.set(broken ?? 'valid', (seen.get(broken ?? 'valid') ?? 0) + 1);
        if (broken) {
          expect(res.isError, `accepted a plan that breaks ${broken}\n${why}`).toBe(true);
          expect((res.data as { error?: string }).error, why).toBe(broken);
          return;
        }
        expect(res.isError, `refused a valid plan: ${JSON.stringify(res.data)}\n${why}`).toBeFalsy();
        const d = DispatchResult.parse(res.data);
        expect(d.plan, why).toMatchObject({ mode: c.policy.mode ?? 'parallel', join_policy: c.policy.join_policy ?? 'wait_for_all', abort_policy: c.policy.abort_policy ?? 'continue' });
        expect(d.plan!.subrequests.map((s) => [s.subrequest_id, s.segment_id, s.butler, s.prompt, s.depends_on, s.run_if, s.required]), why).toEqual(
          c.entries.map((e, i) => [c.overrides[i]?.subrequest_id ?? `sr-${i + 1}`, `seg-${i + 1}`, e.butler, e.prompt, c.overrides[i]?.depends_on ?? [], c.overrides[i]?.run_if ?? 'success', c.overrides[i]?.required ?? true]),
        );
        expect(d.outcomes, 'a dry run executes nothing').toEqual([]);
      }),
      { numRuns: 300 },
    );
  } finally {
    await client.close();
  }
  const after = (await sql('switchboard').query<{ n: number }>('select count(*)::int as n from fanout_execution_log')).rows[0].n;
  expect(after, 'dry runs and refused plans log nothing').toBe(before);
  const line = `contracts: ${tried} generated fan-out plans: ${[...seen].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`;
  console.log(line);
  await testInfo.attach('generated-plans', { body: line, contentType: 'text/plain' });
});
