import type { ToolDef } from '../core/tool.ts';
import { StartupError } from '../core/startup-error.ts';

/** Flattens tool sources in order; a name defined twice is a startup error naming both sources. */
export function collectTools(sources: Array<{ source: string; tools: ToolDef[] }>): ToolDef[] {
  const owner = new Map<string, string>();
  const all: ToolDef[] = [];
  for (const { source, tools } of sources) {
    for (const tool of tools) {
      const first = owner.get(tool.name);
      if (first) throw new StartupError('server', `tool ${tool.name} is defined twice: by ${first} and by ${source}; rename one`);
      owner.set(tool.name, source);
      all.push(tool);
    }
  }
  return all;
}
