import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from './gate.ts';
import { nestedRunBase } from '../../staging/ports.ts';

/**
 * docs/extending.md, "Step by step: a butler outside the checkout", followed
 * literally: every block whose first line names a `~/…` file is written there
 * (with `~` a fresh home folder and `/path/to/checkout` this checkout, the one
 * substitution the guide asks of its reader), then every line of the section's
 * shell block runs as written. Only the nested Playwright run gets a JSON
 * reporter, an output folder and a port block of its own, so it does not
 * overwrite this run's reports or take its ports.
 */
const GUIDE = path.resolve('docs/extending.md');
const STEPS = '### Step by step: a butler outside the checkout';

interface Block {
  lang: string;
  body: string;
}

/** Fenced blocks of the guide's step-by-step section, in order. */
export function guideBlocks(markdown: string): Block[] {
  const from = markdown.indexOf(STEPS);
  if (from < 0) throw new Error(`docs/extending.md has no "${STEPS}" section`);
  const rest = markdown.slice(from + STEPS.length);
  const next = rest.search(/^#{2,3} /m);
  const section = next < 0 ? rest : rest.slice(0, next);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

/** The file a block writes: its first line is a comment naming `~/…`. */
export function fileOf(block: Block): { file: string; content: string } | null {
  const [first, ...rest] = block.body.split('\n');
  const m = /^(?:#|\/\/|--|<!--)\s*(~\/\S+?)\s*(?:-->)?\s*$/.exec(first);
  return m ? { file: m[1], content: rest.join('\n') } : null;
}

function run(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { env, cwd: process.cwd() });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

interface JsonSuite {
  specs?: Array<{ title: string; tests: Array<{ results: Array<{ status: string }> }> }>;
  suites?: JsonSuite[];
}
const titlesByStatus = (s: JsonSuite): Array<{ title: string; status: string }> => [
  ...(s.specs ?? []).flatMap((sp) => sp.tests.flatMap((t) => t.results.map((r) => ({ title: sp.title, status: r.status })))),
  ...(s.suites ?? []).flatMap(titlesByStatus),
];

test('the guide parser reads path-named blocks and the shell block, and rejects a guide without the section', () => {
  const md = `# x\n${STEPS}\n\n\`\`\`toml\n# ~/a/butler.toml\nname = "a"\n\`\`\`\n\n\`\`\`sh\necho hi\n\`\`\`\n\n## Next\n\`\`\`sh\nnot this\n\`\`\`\n`;
  const blocks = guideBlocks(md);
  expect(blocks.map((b) => b.lang)).toEqual(['toml', 'sh']);
  expect(fileOf(blocks[0])).toEqual({ file: '~/a/butler.toml', content: 'name = "a"\n' });
  expect(fileOf(blocks[1])).toBeNull();
  expect(() => guideBlocks('# nothing here')).toThrow(/Step by step/);
});

test('SMK-08 docs/extending.md followed literally: a butler written outside the checkout typechecks, joins a roster copy and passes smoke', async ({ ecosystem }) => {
  test.skip(ecosystem.reused, 'boots a roster of its own in a nested run; not available with E2E_REUSE=1');
  test.setTimeout(420_000);
  const blocks = guideBlocks(readFileSync(GUIDE, 'utf8'));
  const files = blocks.map(fileOf).filter((f): f is { file: string; content: string } => f !== null);
  const shell = blocks.filter((b) => b.lang === 'sh');
  // The guide's promise: five files of a butler and its tsconfig, then one shell block.
  expect(files.map((f) => path.basename(f.file)).sort()).toEqual(['0001_entries.sql', 'CLAUDE.md', 'almanac-entry.ts', 'butler.toml', 'tsconfig.json']);
  expect(shell).toHaveLength(1);

  const home = mkdtempSync(path.join(os.tmpdir(), 'butlers-guide-home-'));
  const output = mkdtempSync(path.join(os.tmpdir(), 'butlers-guide-out-'));
  const report = path.join(output, 'report.json');
  try {
    for (const f of files) {
      const target = path.join(home, f.file.slice(2));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.content.replaceAll('/path/to/checkout', process.cwd()));
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      // A nested run's slot inside this worker's own port block (staging/ports.ts), so concurrent shards never meet here.
      E2E_PORT_BASE: String(nestedRunBase('b')),
      E2E_JSON_REPORT: report,
      PLAYWRIGHT_JSON_OUTPUT_FILE: report,
      E2E_REUSE: '',
      E2E_WORKERS: '1',
    };
    const lines = shell[0].body.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines.some((l) => l.includes('playwright test'))).toBe(true);
    for (const line of lines) {
      const command = line.includes('playwright test') ? `${line} --reporter=json --output=${output}/results` : line;
      const res = await run(command, env, 360_000);
      expect(res.code, `\`${line}\` failed:\n${res.output.slice(-3000)}`).toBe(0);
    }
    expect(existsSync(report), 'the nested smoke run wrote no JSON report').toBe(true);
    const results = titlesByStatus(JSON.parse(readFileSync(report, 'utf8')) as JsonSuite);
    const almanac = results.filter((r) => r.title.includes('almanac'));
    // SMK-01, 02, 03, 05 and 06 are generated for every butler of the roster, the new one included.
    expect(almanac.map((r) => r.title.slice(0, 6)).sort(), results.map((r) => `${r.status} ${r.title}`).join('\n')).toEqual([
      'SMK-01',
      'SMK-02',
      'SMK-03',
      'SMK-05',
      'SMK-06',
    ]);
    expect(almanac.filter((r) => r.status !== 'passed')).toEqual([]);
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(output, { recursive: true, force: true });
  }
});
