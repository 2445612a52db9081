import { z } from 'zod';
import { formatZodIssues } from './issues.ts';

const MATCHER_SHAPES =
  'a string (contains, case-insensitive), a number or boolean (equals), { between: [min, max] }, { oneOf: [...] } or { notNull: true }';

/** A loose column check: text containment, equality, a range, a set, or presence (docs/extending.md, A scenario). */
export const Matcher = z.union(
  [
    z.string(),
    z.number(),
    z.boolean(),
    z
      .object({ between: z.tuple([z.number(), z.number()]) })
      .strict()
      .refine((m) => m.between[0] <= m.between[1], { message: 'between: [min, max] needs min <= max' }),
    z.object({ oneOf: z.array(z.unknown()).min(1) }).strict(),
    z.object({ notNull: z.literal(true) }).strict(),
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union' ? { message: `Expected ${MATCHER_SHAPES}` } : { message: ctx.defaultError },
  },
);
export type Matcher = z.infer<typeof Matcher>;

const name = z.string().refine((s) => s.trim().length > 0, 'must be a non-empty string');

/** Asserts that at least one row matching `where` also satisfies every `columnChecks` matcher. */
export const DbAssertion = z
  .object({
    butler: name,
    table: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a plain lower-case table name'),
    where: z.record(z.string(), Matcher),
    columnChecks: z.record(z.string(), Matcher).optional(),
  })
  .strict();
export type DbAssertion = z.infer<typeof DbAssertion>;

/** One declarative scenario; strict, so a misspelt key is an error naming the file and the field. */
export const E2EScenario = z
  .object({
    id: name,
    description: name,
    inputPrompt: name,
    stage: z.enum(['classify', 'full']),
    expectedButlers: z.array(name).min(1, 'name at least one butler'),
    expectedToolCalls: z.array(name),
    dbAssertions: z.array(DbAssertion),
    tags: z.array(z.string().regex(/^[A-Za-z0-9][\w-]*$/, 'tags are bare words like "health" (no "@", no spaces)')),
    timeoutSeconds: z.number().int().positive().optional(),
    skipReason: name.optional(),
    expectedOutput: z.object({ contains: z.array(name).min(1) }).strict().optional(),
  })
  .strict();
export type E2EScenario = z.infer<typeof E2EScenario>;

/** Default per-scenario timeout when `timeoutSeconds` is absent. */
export const DEFAULT_SCENARIO_TIMEOUT_S = 120;

/** A list of scenarios whose ids are unique (ids become test title prefixes). */
export const E2EScenarioList = z.array(E2EScenario).superRefine((list, ctx) => {
  const first = new Map<string, number>();
  list.forEach((scenario, index) => {
    const earlier = first.get(scenario.id);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'id'],
        message: `duplicate scenario id "${scenario.id}" (also at [${earlier}]); ids must be unique`,
      });
    } else first.set(scenario.id, index);
  });
});

/** Thrown by `parseScenarios`; `message` lists every problem, one `file: path: message` per line. */
export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid scenario file ${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ScenarioFileError';
  }
}

/**
 * Validates the scenarios exported by one file. `exportName` prefixes the
 * paths so messages read `scenarios/foo.ts: scenarios[2].expectedButlers: …`.
 */
export function parseScenarios(file: string, value: unknown, exportName = 'scenarios'): E2EScenario[] {
  const parsed = E2EScenarioList.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ScenarioFileError(file, formatZodIssues(file, parsed.error, exportName));
}
