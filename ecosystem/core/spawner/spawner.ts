import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { SpawnerResult } from '../../../contracts/spawner-result.ts';
import { allModules } from '../../modules/index.ts';
import { runtimeArgv } from '../../runtime/protocol.ts';
import type { ButlerConfig } from '../config/schema.ts';
import type { Redactor } from '../logging/redactor.ts';
import type { ModuleState } from '../modules/types.ts';
import type { SessionTokenRegistry } from '../server/session-tokens.ts';
import { ToolError } from '../tool.ts';
import { startSpan } from '../trace/span.ts';
import { RUNTIME_NODE_FLAGS, spawnRuntime, type ChildHandle } from './child-process.ts';
import { judgeSession, lockTimeoutResult } from './outcome.ts';
import { runtimeEntry } from './runtime-entry.ts';
import type { SensitivityMap } from './sensitivity.ts';
import { buildSessionEnv } from './session-env.ts';
import { writeSessionFiles } from './session-files.ts';
import { completeSessionRow, insertSessionRow } from './session-rows.ts';
import { SerialLock } from './serial-lock.ts';
import { buildSystemPrompt } from './system-prompt.ts';
import type { SpawnerService, SpawnerStatus, SpawnRequest } from './types.ts';

/** What the spawner needs from the daemon. */
export interface SpawnerDeps {
  config: ButlerConfig;
  /** The butler's own direct endpoint, e.g. http://127.0.0.1:8103/mcp (never the advertised proxy URL). */
  directUrl: string;
  claudeMdPath: string;
  db: Pool;
  log: Logger;
  redactor: Redactor;
  tokens: SessionTokenRegistry;
  env: NodeJS.ProcessEnv;
  modules: Record<string, ModuleState>;
  sensitivity: SensitivityMap;
}

/** The serial session runner of docs/ecosystem.md §10. */
export class Spawner implements SpawnerService {
  private readonly lock = new SerialLock();
  private current: { sessionId: string; child: ChildHandle | null } | null = null;
  private closing = false;
  readonly model: string;
  readonly mode: 'double' | 'live';

  constructor(private readonly d: SpawnerDeps) {
    this.model = d.config.runtime.model;
    this.mode = d.env.ANTHROPIC_BASE_URL ? 'double' : 'live';
  }

  status(): SpawnerStatus {
    return { busy: this.lock.busy, queue_depth: this.lock.queueDepth, current_session_id: this.current?.sessionId ?? null, model: this.model, mode: this.mode };
  }

  async drain(ms: number): Promise<void> {
    await this.lock.idle(ms);
  }

  /** Shutdown after the drain: kill a session still running and wait for its row to be completed. */
  async close(): Promise<void> {
    this.closing = true;
    this.current?.child?.kill('shutdown');
    await this.lock.idle(8000);
  }

  async run(req: SpawnRequest): Promise<SpawnerResult> {
    if (typeof req.prompt !== 'string' || req.prompt.trim() === '') throw new ToolError('invalid_arguments', 'prompt must be a non-empty string');
    if (this.closing) throw shuttingDown();
    let entry: string;
    try {
      entry = runtimeEntry(this.d.env);
    } catch (err) {
      throw new ToolError('runtime_missing', (err as Error).message);
    }
    const { log, config } = this.d;
    const lease = await this.lock.acquire(config.runtime.lock_wait_timeout_s * 1000);
    if (!lease) {
      const waited = config.runtime.lock_wait_timeout_s * 1000;
      log.error(
        { event: 'spawner.lock_wait_timeout', trigger_source: req.triggerSource, tag: req.tag ?? undefined, request_id: req.requestId ?? undefined, lock_wait_ms: waited },
        `gave up waiting ${config.runtime.lock_wait_timeout_s} s for the session lock (runtime.lock_wait_timeout_s)`,
      );
      return lockTimeoutResult(this.model, waited);
    }
    try {
      if (this.closing) throw shuttingDown();
      return await this.session(req, entry, lease.waitedMs);
    } finally {
      lease.release();
    }
  }

  private async session(req: SpawnRequest, entry: string, lockWaitMs: number): Promise<SpawnerResult> {
    const { config, log: daemonLog, redactor } = this.d;
    const butler = config.butler.name;
    const sessionId = randomUUID();
    const kind = req.kind ?? 'task';
    const timeoutMs = req.timeoutMs ?? config.runtime.timeout_s * 1000;
    const tag = req.tag ?? null;
    const span = startSpan('spawner.session', req.traceparent, { 'session.id': sessionId, 'trigger.source': req.triggerSource, 'session.kind': kind, 'llm.model': this.model });
    const traceId = span.context.traceId;
    const log = daemonLog.child({ session_id: sessionId, trace_id: traceId, ...(tag ? { tag } : {}), ...(req.requestId ? { request_id: req.requestId } : {}) });
    const token = randomBytes(32).toString('base64url');
    // The system prompt (CLAUDE.md, recalled memories) is built while the
    // session process loads its code: it is needed only when start() hands
    // over the prompts. Settled here so a failure is never unhandled.
    const prompt = buildSystemPrompt({
      claudeMdPath: this.d.claudeMdPath, db: this.d.db, log, prompt: req.prompt, memoryActive: this.d.modules.memory?.status === 'active',
    }).then(
      (text) => ({ ok: true as const, text }),
      (err: unknown) => ({ ok: false as const, message: (err as Error).message }),
    );
    let files;
    try {
      files = await writeSessionFiles(butler, this.d.directUrl, token);
    } catch (err) {
      await prompt;
      throw err;
    }
    this.d.tokens.registerSessionToken(token, sessionId);
    this.current = { sessionId, child: null };
    try {
      const env = buildSessionEnv(config, this.d.env, allModules, { traceparent: span.traceparent, tracestate: req.tracestate });
      const argv = runtimeArgv({ butler, sessionId, kind, mcpConfig: files.mcpConfig, model: this.model, maxTurns: config.runtime.max_turns, tag, logLevel: config.log.level });
      const child = spawnRuntime({ entry, argv, env, cwd: files.dir, timeoutMs, log: log.child({ component: 'runtime' }) });
      this.current.child = child;
      const built = await prompt;
      if (!built.ok) {
        // As before: no session row, no prompt handed over; the loading process is stopped.
        child.kill('shutdown');
        await child.done;
        throw new ToolError('system_prompt_unavailable', built.message);
      }
      const systemPrompt = built.text;
      try {
        await insertSessionRow(this.d.db, {
          sessionId, butler, triggerSource: req.triggerSource, kind, prompt: req.prompt, model: this.model, traceId,
          requestId: req.requestId ?? null, subrequestId: req.subrequestId ?? null, tag, scheduledTaskId: req.scheduledTaskId ?? null, runtimePid: child.pid ?? null,
        });
      } catch (err) {
        child.kill('shutdown');
        await child.done;
        throw new ToolError('session_insert_failed', `cannot record the session in the sessions table: ${(err as Error).message}`);
      }
      const common = { trigger_source: req.triggerSource, kind, scheduled_task_id: req.scheduledTaskId ?? undefined, lock_wait_ms: lockWaitMs };
      log.info({ event: 'spawner.session_started', ...common, model: this.model, timeout_ms: timeoutMs }, `session started (${req.triggerSource}, ${kind})`);
      log.debug(
        { event: 'llm_cli.spawned', runtime_pid: child.pid, node_flags: RUNTIME_NODE_FLAGS, entry, mcp_config: files.mcpConfig, env_names: Object.keys(env).sort(), api_key_present: 'ANTHROPIC_API_KEY' in env, mode: this.mode },
        `session process ${child.pid} spawned`,
      );
      if (this.closing) child.kill('shutdown');
      child.start({ prompt: req.prompt, system_prompt: systemPrompt });
      const outcome = await child.done;
      log.debug({ event: 'spawner.session_exited', exit_code: outcome.exitCode, signal: outcome.signal, wall_ms: outcome.wallMs, result_to_exit_ms: outcome.resultToExitMs, exit_to_close_ms: outcome.exitToCloseMs }, 'session process exited');
      const verdict = judgeSession(outcome, { sessionId, model: this.model, lockWaitMs, redactor, sensitivity: this.d.sensitivity });
      const { end } = verdict;
      await completeSessionRow(this.d.db, sessionId, end).catch((err: unknown) =>
        log.error({ event: 'spawner.session_update_failed', error: (err as Error).message }, 'the session row could not be completed; it stays running until the next startup'),
      );
      const fields = { ...common, duration_ms: end.durationMs, input_tokens: end.inputTokens, output_tokens: end.outputTokens, api_requests: end.apiRequests, cost_usd: end.costUsd, tool_calls: end.toolCalls.length, runtime_pid: child.pid };
      if (end.status === 'completed') log.info({ event: 'spawner.session_completed', ...fields }, 'session completed');
      else log.error({ event: 'spawner.session_failed', ...fields, error: end.error, detail: verdict.detail, exit_code: outcome.exitCode, signal: outcome.signal }, `session failed: ${end.error}`);
      span.setAttributes({ 'session.status': end.status, 'session.api_requests': end.apiRequests, 'llm.input_tokens': end.inputTokens, 'llm.output_tokens': end.outputTokens });
      span.end(end.error ? { error: end.error } : undefined);
      return verdict.result;
    } catch (err) {
      span.end({ error: (err as Error)?.message ?? String(err) });
      throw err;
    } finally {
      this.d.tokens.revokeSessionToken(token);
      this.current = null;
      await files.remove().catch((err: unknown) => log.warn({ event: 'spawner.cleanup_failed', dir: files.dir, error: (err as Error).message }, 'session folder not removed'));
    }
  }
}

function shuttingDown(): ToolError {
  return new ToolError('shutting_down', 'the butler is shutting down and starts no new sessions; retry after it restarts');
}
