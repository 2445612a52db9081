import type { CallInterceptor } from '../server/tool-registry.ts';
import type { Redactor } from '../logging/redactor.ts';
import { MASK } from '../logging/redactor.ts';
import type { RuntimeToolCall } from '../../runtime/protocol.ts';

/**
 * Which argument names each tool marks sensitive, learned from the ToolDefs
 * as calls pass through the daemon's interceptor. Every tool a session calls
 * successfully reaches the registry, so its list is known before the
 * session's result is stored; unknown tools have nothing sensitive.
 */
export class SensitivityMap {
  private readonly lists = new Map<string, readonly string[]>();

  readonly intercept: CallInterceptor = (tool, _args, _info, run) => {
    if (tool.sensitive?.length) this.lists.set(tool.name, tool.sensitive);
    return run();
  };

  get(tool: string): readonly string[] {
    return this.lists.get(tool) ?? [];
  }

  /** Tool calls as stored: sensitive arguments (and the same keys echoed in results) masked, secret values masked. */
  redactCalls(calls: RuntimeToolCall[], redactor: Redactor): RuntimeToolCall[] {
    return calls.map((c) => {
      const keys = this.get(c.name);
      return {
        name: c.name,
        arguments: redactor.redactArgs(c.arguments ?? {}, keys),
        result: redactor.redact(maskKeys(c.result, keys)),
        is_error: c.is_error === true,
      };
    });
  }
}

/** Deep copy with every non-null value under one of `keys` replaced by `***` (a stored row echoes its arguments). */
export function maskKeys(value: unknown, keys: readonly string[]): unknown {
  if (keys.length === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskKeys(v, keys));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = keys.includes(k) && v !== null && v !== undefined ? MASK : maskKeys(v, keys);
  return out;
}
