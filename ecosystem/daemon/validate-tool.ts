import type { ToolDef } from '../core/tool.ts';
import { StartupError } from '../core/startup-error.ts';

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Checks a roster file's default export: one ToolDef or an array of them. Errors name the file and the field. */
export function validateToolExport(value: unknown, file: string): ToolDef[] {
  if (value === undefined) {
    throw new StartupError('server', `${file} has no default export; export default a tool (defineTool({...})) or an array of tools`);
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((t, i) => check(t, list.length > 1 ? `${file} (tool #${i + 1})` : file));
}

function check(t: unknown, where: string): ToolDef {
  const fail = (rule: string) => {
    throw new StartupError('server', `${where}: ${rule}`);
  };
  if (t === null || typeof t !== 'object') return fail('the default export must be a tool object created with defineTool({...})');
  const d = t as Partial<ToolDef> & Record<string, unknown>;
  if (typeof d.name !== 'string' || !NAME.test(d.name)) fail(`name must be snake_case (a-z, 0-9, _), ≤ 64 chars, got ${JSON.stringify(d.name)}`);
  if (typeof d.description !== 'string' || d.description.trim() === '') fail(`tool ${d.name}: description must be a non-empty string`);
  if (d.input === null || typeof d.input !== 'object' || Array.isArray(d.input)) fail(`tool ${d.name}: input must be a zod raw shape ({ key: z.string(), ... })`);
  for (const [key, schema] of Object.entries(d.input as object)) {
    if (!schema || typeof schema !== 'object' || !('_def' in schema)) fail(`tool ${d.name}: input.${key} must be a zod schema`);
  }
  if (typeof d.handler !== 'function') fail(`tool ${d.name}: handler must be an async function (args, ctx) => result`);
  if (d.audience !== undefined && d.audience !== 'all' && d.audience !== 'operator') {
    fail(`tool ${d.name}: audience must be "all" or "operator", got ${JSON.stringify(d.audience)}`);
  }
  if (d.session !== undefined && d.session !== 'offered' && d.session !== 'opt_in') {
    fail(`tool ${d.name}: session must be "offered" or "opt_in", got ${JSON.stringify(d.session)}`);
  }
  if (d.sensitive !== undefined) {
    if (!Array.isArray(d.sensitive)) fail(`tool ${d.name}: sensitive must be a list of argument names`);
    for (const s of d.sensitive as unknown[]) {
      if (typeof s !== 'string' || !(s in (d.input as object))) fail(`tool ${d.name}: sensitive names ${JSON.stringify(s)}, which is not an argument`);
    }
  }
  return d as ToolDef;
}
