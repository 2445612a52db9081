import { z } from 'zod';
import type { ToolDef } from '../tool.ts';

export type GateMode = 'none' | 'conditional' | 'always';
export type ToolApprovalMode = 'always' | 'conditional' | 'none';

/** One `approval_gates.gated_tools` entry of butler.toml (docs/ecosystem.md §14). */
export interface GatedTool {
  tool: string;
  approval_mode: ToolApprovalMode;
}

/**
 * The canonical `[approval_gates]` shape (docs/ecosystem.md §14): a global mode, the
 * wait in seconds (60 by default, 15 in staging) and per-tool modes. Argument
 * sensitivity is not here: it comes from each tool's `sensitive` list, the one
 * declaration that serves both gating and redaction.
 */
export interface GateConfig {
  mode: GateMode;
  timeout_s: number;
  gated_tools: GatedTool[];
}

export const DEFAULT_GATE_TIMEOUT_S = 60;

/** The value a zod property falls back to when the caller leaves it out, if any. */
export function schemaDefault(schema: z.ZodTypeAny | undefined): unknown {
  let s: z.ZodTypeAny | undefined = schema;
  while (s) {
    if (s instanceof z.ZodDefault) return s._def.defaultValue();
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s._def.innerType;
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else return undefined;
  }
  return undefined;
}

/**
 * Trivial per docs/ecosystem.md §14.1: absent, null, empty or whitespace-only string,
 * empty array or object, or equal to the schema default.
 */
export function isTrivial(value: unknown, defaultValue?: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string' && value.trim() === '') return true;
  if (Array.isArray(value) && value.length === 0) return true;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return true;
  return defaultValue !== undefined && JSON.stringify(value) === JSON.stringify(defaultValue);
}

/** The per-tool mode that applies, or null when the tool is not listed (never gated). */
export function toolMode(gate: GateConfig, toolName: string): ToolApprovalMode | null {
  const entry = gate.gated_tools.find((g) => g.tool === toolName);
  return entry ? entry.approval_mode : null;
}

/** The gating table of docs/ecosystem.md §14.1: must this call of `tool` with these arguments wait for approval? */
export function mustGate(gate: GateConfig, tool: ToolDef, args: Record<string, unknown>): boolean {
  if (gate.mode === 'none') return false;
  const mode = toolMode(gate, tool.name);
  if (mode === null || mode === 'none') return false;
  if (gate.mode === 'always' || mode === 'always') return true;
  return (tool.sensitive ?? []).some((name) => !isTrivial(args[name], schemaDefault(tool.input[name])));
}

/**
 * A copy of `args` whose sensitive values read `***` (docs/ecosystem.md §15), for
 * logs, spans and sessions.tool_calls. Absent and null values stay as they are:
 * they reveal nothing and show that, e.g., a notification went to the owner.
 */
export function redactArgs(args: Record<string, unknown>, sensitive: readonly string[] | undefined): Record<string, unknown> {
  if (!sensitive || sensitive.length === 0) return { ...args };
  const out: Record<string, unknown> = { ...args };
  for (const name of sensitive) {
    if (out[name] !== undefined && out[name] !== null) out[name] = '***';
  }
  return out;
}
