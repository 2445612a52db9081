import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { StartupError } from '../startup-error.ts';

/** One configuration source, lowest precedence first when merged. */
export interface ConfigLayer {
  /** How messages name it: `butler.toml (roster/health)`, `overlay /tmp/w0/health.toml`, `environment variable BUTLERS_DB_PORT`. */
  label: string;
  values: Record<string, unknown>;
  /** For layers built from single variables/options: which name set which key path. */
  origins?: Map<string, string>;
}

export function readTomlLayer(file: string, label: string): ConfigLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StartupError('config', `${label}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return { label, values: parse(text) as Record<string, unknown> };
  } catch (err) {
    if (err instanceof TomlError) {
      throw new StartupError('config', `${label}: invalid TOML at line ${err.line}, column ${err.column}: ${err.message.split('\n')[0]}`);
    }
    throw err;
  }
}

/** Variables that override single keys, above the overlay and below the command line. */
export const ENV_KEYS: Record<string, string> = {
  BUTLERS_PORT: 'butler.port',
  BUTLERS_ADVERTISED_URL: 'advertised_url',
  BUTLERS_DB_HOST: 'db.host',
  BUTLERS_DB_PORT: 'db.port',
  BUTLERS_DB_NAME: 'db.name',
  BUTLERS_DB_USER: 'db.user',
  BUTLERS_DB_PASSWORD: 'db.password',
  BUTLERS_DB_PROVISION: 'db.provision',
  BUTLERS_SWITCHBOARD_URL: 'switchboard.url',
  BUTLERS_MODEL: 'runtime.model',
  BUTLERS_LOG_LEVEL: 'log.level',
  BUTLERS_WORKER: 'log.worker',
};

export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  return keyedLayer('environment', Object.entries(ENV_KEYS).map(([name, key]) => [`environment variable ${name}`, key, env[name]]));
}

/** `--port`, `--log-level`, `--db-name`: the highest layer. */
export function cliLayer(options: Record<string, string | undefined>): ConfigLayer {
  const map: Record<string, string> = { port: 'butler.port', 'log-level': 'log.level', 'db-name': 'db.name' };
  return keyedLayer(
    'command line',
    Object.entries(map).map(([opt, key]) => [`command-line option --${opt}`, key, options[opt]]),
  );
}

function keyedLayer(label: string, entries: Array<[string, string, string | undefined]>): ConfigLayer {
  const values: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  for (const [origin, key, raw] of entries) {
    if (raw === undefined || raw === '') continue;
    setPath(values, key.split('.'), coerce(raw));
    origins.set(key, origin);
  }
  return { label, values, origins };
}

// Variables are strings; the schema is typed, so obvious numbers and booleans are converted first.
function coerce(raw: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

export function mergeLayers(layers: ConfigLayer[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const layer of layers) out = deepMerge(out, layer.values);
  return out;
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = isTable(v) && isTable(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function getPath(obj: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) cur = (cur[key] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1]] = value;
}
