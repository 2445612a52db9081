import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const TOOL_TS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'core', 'tool.ts');

/** A temporary roster folder for daemon tests; `remove()` deletes it. */
export interface TestRoster {
  root: string;
  add(name: string, files: { toml: string; tools?: Record<string, string>; migrations?: Record<string, string>; claude?: boolean }): string;
  overlay(name: string, toml: string): string;
  remove(): void;
}

export function makeTestRoster(): TestRoster {
  const root = mkdtempSync(path.join(tmpdir(), 'daemon-roster-'));
  return {
    root,
    add(name, files) {
      const dir = path.join(root, name);
      mkdirSync(path.join(dir, 'tools'), { recursive: true });
      mkdirSync(path.join(dir, 'migrations'), { recursive: true });
      writeFileSync(path.join(dir, 'butler.toml'), files.toml);
      if (files.claude !== false) writeFileSync(path.join(dir, 'CLAUDE.md'), `You are ${name}.`);
      for (const [f, src] of Object.entries(files.tools ?? {})) writeFileSync(path.join(dir, 'tools', f), src.replaceAll('@TOOL_TS@', TOOL_TS));
      for (const [f, sql] of Object.entries(files.migrations ?? {})) writeFileSync(path.join(dir, 'migrations', f), sql);
      return dir;
    },
    overlay(name, toml) {
      const f = path.join(root, `${name}.overlay.toml`);
      writeFileSync(f, toml);
      return f;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A pino destination collecting parsed JSON lines. */
export function logSink(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { stream, lines };
}
