import type { z } from 'zod';
import { allowedKeys, describeSchema, schemaAt } from './describe-schema.ts';
import { getPath, mergeLayers, type ConfigLayer } from './layers.ts';
import { looksLikeSecret } from './secret-scan.ts';

const SENSITIVE_KEY = /pass(word)?|secret|token|api_?key|credential/i;

/**
 * Turns one zod issue into a sentence naming the source that set the key,
 * the key path, the rule (allowed values) and what was given.
 */
export function formatIssue(issue: z.ZodIssue, schema: z.ZodTypeAny, layers: ConfigLayer[], home: string): string {
  const keyPath = issue.path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => unknownKey([...keyPath, k], schema, layers, home)).join('; ');
  }
  const where = sourceOf(keyPath, layers) ?? home;
  const key = dotted(keyPath);
  const target = schemaAt(schema, keyPath);
  const given = getPath(mergeLayers(layers), keyPath);
  if (issue.code === 'custom') return `${where}: key ${key} ${issue.message}`;
  if (given === undefined) return `${where}: key ${key} is required: ${describeSchema(target)}`;
  return `${where}: key ${key} must be ${describeSchema(target)}, got ${show(given, key)}`;
}

function unknownKey(path: Array<string | number>, schema: z.ZodTypeAny, layers: ConfigLayer[], home: string): string {
  const where = sourceOf(path, layers) ?? home;
  const parent = path.slice(0, -1);
  const name = String(path[path.length - 1]);
  const allowed = allowedKeys(schemaAt(schema, parent));
  if (parent.length === 1 && parent[0] === 'modules') {
    return `${where}: unknown module "${name}" (key modules.${name}); valid modules: ${allowed.join(', ')}`;
  }
  if (dotted(parent) === 'approval_gates' && (name === 'sensitive_tools' || name === 'approval_mode')) {
    return (
      `${where}: key approval_gates.${name} is not supported (the flat shorthand); ` +
      'use approval_gates.mode and approval_gates.gated_tools = [{ tool = "...", approval_mode = "always" | "conditional" | "none" }]'
    );
  }
  const scope = parent.length ? `table [${dotted(parent)}]` : 'the top level';
  return `${where}: unknown key ${dotted(path)}; ${scope} allows: ${allowed.join(', ')}`;
}

/** The highest layer that sets `path` (or, for list items, the list). */
function sourceOf(path: ReadonlyArray<string | number>, layers: ConfigLayer[]): string | undefined {
  // The longest prefix wins first: an overlay that only sets [db] host and port
  // must not be blamed for the db.pool_max that butler.toml set.
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      if (getPath(layer.values, prefix) !== undefined) {
        return layer.origins?.get(dotted(prefix)) ?? layer.label;
      }
    }
  }
  return undefined;
}

function dotted(path: ReadonlyArray<string | number>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

function show(value: unknown, key: string): string {
  if (SENSITIVE_KEY.test(key) || (typeof value === 'string' && looksLikeSecret(value))) return '(value hidden)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
