import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ToolContext, ToolDef } from '../core/tool.ts';
import { rosterDir } from './butler-db.ts';

/** Butler folders of the roster (a folder counts only with a butler.toml). */
export function rosterButlers(): string[] {
  return readdirSync(rosterDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(rosterDir, d.name, 'butler.toml')))
    .map((d) => d.name)
    .sort();
}

/** Imports `tools/*.ts` of a butler the way the daemon does: default export, one tool or an array. */
export async function loadButlerTools(butler: string): Promise<ToolDef[]> {
  const dir = join(rosterDir, butler, 'tools');
  if (!existsSync(dir)) return [];
  const tools: ToolDef[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    if (mod.default === undefined) throw new Error(`roster/${butler}/tools/${file}: no default export`);
    const list = Array.isArray(mod.default) ? mod.default : [mod.default];
    tools.push(...(list as ToolDef[]));
  }
  return tools;
}

/** A ToolContext as the MCP server builds it, minus the daemon services. */
export function fakeContext(butler: string, db: Pool, sessionId: string | null): ToolContext {
  return {
    butler,
    db,
    sessionId,
    log: pino({ level: 'silent' }),
    config: {},
    meta: {},
    signal: new AbortController().signal,
    services: {},
  };
}

/**
 * Calls a tool the way the server does: validate the arguments against the
 * tool's zod shape (applying defaults), then run the handler.
 */
export async function callTool(
  tools: ToolDef[],
  name: string,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<Record<string, unknown>> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`tool ${name} not found among ${tools.map((t) => t.name).join(', ')}`);
  const parsed = z.object(tool.input).strict().parse(args);
  return (await tool.handler(parsed, ctx)) as Record<string, unknown>;
}

/** Inserts a running session row (core `sessions` table) and returns its id. */
export async function insertSession(db: Pool, butler: string, requestId: string | null = null): Promise<string> {
  const { rows } = await db.query<{ session_id: string }>(
    `insert into sessions (butler_name, trigger_source, prompt, model, status, request_id)
     values ($1, 'test', 'unit test', 'test-model', 'running', $2) returning session_id`,
    [butler, requestId],
  );
  return rows[0].session_id;
}
