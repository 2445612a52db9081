import type { ModuleDef } from '../core/modules/types.ts';
import type { CallInterceptor } from '../core/server/tool-registry.ts';

/** Every module credential value present in the environment (redacted whether or not the module is enabled). */
export function credentialValues(modules: ReadonlyMap<string, ModuleDef>, env: NodeJS.ProcessEnv): Array<string | undefined> {
  return [...modules.values()].flatMap((m) => m.credentials.map((c) => env[c.env]));
}

/** Nests interceptors so the first one is outermost. */
export function composeIntercepts(list: Array<CallInterceptor | undefined>): CallInterceptor | undefined {
  const present = list.filter((i): i is CallInterceptor => !!i);
  if (present.length === 0) return undefined;
  return present.reduceRight<CallInterceptor>(
    (inner, outer) => (tool, args, info, run) => outer(tool, args, info, () => inner(tool, args, info, run)),
    (_tool, _args, _info, run) => run(),
  );
}

/** Milestones of startup for the `butler.ready` line (target: well under 600 ms). */
export function startupTimer() {
  const t0 = performance.now();
  let last = t0;
  const marks: Record<string, number> = {};
  return {
    mark(name: string) {
      const now = performance.now();
      marks[name] = Math.round(now - last);
      last = now;
    },
    phases: () => ({ ...marks }),
    total: () => Math.round(performance.now() - t0),
  };
}

