import { parseArgs } from 'node:util';
import type { RuntimeArgs, RuntimeInput } from './protocol.ts';

const KINDS = ['task', 'classification', 'synthesis'] as const;
const USAGE =
  'usage: node dist/runtime-main.cjs --butler <name> --session-id <uuid> --kind task|classification|synthesis ' +
  '--mcp-config <file> --model <id> --max-turns <n> [--tag <tag>] [--log-level <level>] < {"prompt","system_prompt"} on stdin';

/** Reads the flags the spawner passes; a problem is an Error naming the flag and the usage. */
export function parseRuntimeArgs(argv: string[]): RuntimeArgs {
  let v: Record<string, string | undefined>;
  try {
    v = parseArgs({
      args: argv,
      options: {
        butler: { type: 'string' },
        'session-id': { type: 'string' },
        kind: { type: 'string' },
        'mcp-config': { type: 'string' },
        model: { type: 'string' },
        'max-turns': { type: 'string' },
        tag: { type: 'string' },
        'log-level': { type: 'string' },
      },
      strict: true,
    }).values as Record<string, string | undefined>;
  } catch (err) {
    throw new Error(`${(err as Error).message}; ${USAGE}`);
  }
  for (const flag of ['butler', 'session-id', 'kind', 'mcp-config', 'model', 'max-turns']) {
    if (!v[flag]) throw new Error(`--${flag} is required; ${USAGE}`);
  }
  const kind = v.kind as RuntimeArgs['kind'];
  if (!KINDS.includes(kind)) throw new Error(`--kind must be one of ${KINDS.join(', ')}, got "${v.kind}"`);
  const maxTurns = Number(v['max-turns']);
  if (!Number.isInteger(maxTurns) || maxTurns < 1) throw new Error(`--max-turns must be a positive integer, got "${v['max-turns']}"`);
  return {
    butler: v.butler!,
    sessionId: v['session-id']!,
    kind,
    mcpConfig: v['mcp-config']!,
    model: v.model!,
    maxTurns,
    tag: v.tag ?? null,
    logLevel: v['log-level'] ?? 'info',
  };
}

/** Parses the stdin message; both prompts are required strings (the system prompt may be empty). */
export function parseRuntimeInput(text: string): RuntimeInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`stdin must hold one JSON object {"prompt": string, "system_prompt": string}; got ${text.length} bytes that do not parse`);
  }
  const v = value as Partial<RuntimeInput> | null;
  if (!v || typeof v.prompt !== 'string' || v.prompt.trim() === '' || typeof v.system_prompt !== 'string') {
    throw new Error('stdin JSON must have a non-empty string "prompt" and a string "system_prompt"');
  }
  return { prompt: v.prompt, system_prompt: v.system_prompt };
}

/** Everything on stdin until EOF. */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
