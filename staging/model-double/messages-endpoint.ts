// `POST /v1/messages`: authentication, validation, fault injection, then the
// deterministic policy. Every request lands in the request log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Fault, type FaultAction, type FaultStore, errorTypeFor } from './faults.ts';
import type { HoldRegistry } from './holds.ts';
import { toolUseId } from './ids.ts';
import { decide, toResponse } from './policy.ts';
import { CacheControlError, type PromptCache, breakpoints } from './prompt-cache.ts';
import { readClassificationInput } from './registry.ts';
import type { RequestLog } from './request-log.ts';
import { firstUserText, promptText } from './request-text.ts';
import type { Attribution, MessagesRequest, PolicyOutput } from './types.ts';
import { validateRequest } from './validate-request.ts';

/** Minimal logger shape (pino-compatible): structured object first, message second. */
export interface ModelDoubleLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What the endpoint shares with the server and the control API. */
export interface EndpointDeps {
  apiKey: string;
  faults: FaultStore;
  requests: RequestLog;
  holds: HoldRegistry;
  /** The instance's prompt cache (`cache_control` breakpoints). */
  cache: PromptCache;
  logger?: ModelDoubleLogger;
}

const header = (req: IncomingMessage, name: string): string | null => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
};

export function attribution(req: IncomingMessage): Attribution {
  return {
    butler: header(req, 'x-butlers-butler'),
    session_id: header(req, 'x-butlers-session-id'),
    session_kind: header(req, 'x-butlers-session-kind'),
    tag: header(req, 'x-butlers-tag'),
  };
}

function authorised(req: IncomingMessage, apiKey: string): boolean {
  return header(req, 'x-api-key') === apiKey || header(req, 'authorization') === `Bearer ${apiKey}`;
}

export const errorBody = (type: string, message: string): object => ({ type: 'error', error: { type, message } });

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function forced(action: FaultAction, fault: Fault, raw: string, req: MessagesRequest): PolicyOutput | null {
  const kind = readClassificationInput(promptText(req)) ? 'classification' : 'tool_use';
  if (action.type === 'text' || action.type === 'json') {
    const text = action.type === 'text' ? action.text : JSON.stringify(action.value);
    return { content: [{ type: 'text', text }], stop_reason: 'end_turn', kind, summary: `fault ${action.type}` };
  }
  if (action.type === 'tool_use') {
    const id = toolUseId('fault', fault.id, raw);
    return {
      content: [{ type: 'tool_use', id, name: action.name, input: action.input ?? {} }],
      stop_reason: 'tool_use',
      kind,
      summary: `fault tool_use ${action.name}`,
    };
  }
  return null;
}

export async function handleMessages(req: IncomingMessage, res: ServerResponse, raw: string, deps: EndpointDeps): Promise<void> {
  const entry = deps.requests.begin(attribution(req), new Date());
  const finish = (status: number, body: unknown, summary: string, headers: Record<string, string> = {}): void => {
    send(res, status, typeof body === 'string' ? body : JSON.stringify(body), { 'request-id': entry.id, ...headers });
    deps.requests.finish(entry.id, status, body, summary, Date.now());
    deps.logger?.debug({ request_id: entry.id, butler: entry.butler, kind: entry.kind, status, summary }, 'model double answered');
  };
  if (!authorised(req, deps.apiKey)) {
    entry.kind = 'unauthenticated';
    finish(401, errorBody('authentication_error', 'invalid x-api-key: the key does not match the model double\'s configured key'), 'rejected: invalid API key');
    return;
  }
  const validated = validateRequest(raw);
  if (!validated.ok) {
    const { status, type, message } = validated.problem;
    finish(status, errorBody(type, message), `rejected: ${message}`);
    return;
  }
  const body = validated.req;
  try {
    breakpoints(body);
  } catch (err) {
    if (!(err instanceof CacheControlError)) throw err;
    finish(400, errorBody('invalid_request_error', err.message), `rejected: ${err.message}`);
    return;
  }
  deps.requests.setRequest(entry.id, {
    model: body.model,
    max_tokens: body.max_tokens,
    system: body.system ?? null,
    messages: body.messages,
    tools: body.tools ?? [],
    tool_choice: body.tool_choice ?? null,
  });
  entry.model = body.model;
  entry.tools = (body.tools ?? []).map((t) => t.name);
  entry.message_count = body.messages.length;
  entry.kind = readClassificationInput(promptText(body)) ? 'classification' : 'tool_use';
  const fault = deps.faults.take(entry, firstUserText(body));
  if (fault) {
    entry.fault_id = fault.id;
    deps.logger?.info({ request_id: entry.id, fault_id: fault.id, action: fault.action.type }, 'model double fault fired');
    const a = fault.action;
    if (a.type === 'status') {
      const headers: Record<string, string> = a.retry_after !== undefined ? { 'retry-after': String(a.retry_after) } : {};
      const type = a.error_type ?? errorTypeFor(a.code);
      finish(a.code, errorBody(type, a.message ?? `injected fault ${fault.id}: ${type}`), `fault status ${a.code}`, headers);
      return;
    }
    if (a.type === 'malformed') {
      finish(200, '{"id":"msg_malformed","type":"message","content":[{"type":"text","text":"', 'fault malformed');
      return;
    }
    if (a.type === 'disconnect') {
      req.socket.destroy();
      deps.requests.finish(entry.id, 0, null, 'fault disconnect', Date.now());
      return;
    }
    if (a.type === 'delay') await new Promise((r) => setTimeout(r, a.ms));
    if (a.type === 'hold') {
      entry.held = true;
      if ((await deps.holds.hold(entry.id)) === 'closed') {
        req.socket.destroy();
        deps.requests.finish(entry.id, 0, null, 'held until the double closed', Date.now());
        return;
      }
    }
    const out = forced(a, fault, raw, body);
    if (out) {
      finish(200, toResponse(body, raw, out, deps.cache.usage(body, Date.now())), out.summary);
      return;
    }
  }
  const now = new Date();
  const out = decide(body, now);
  finish(200, toResponse(body, raw, out, deps.cache.usage(body, now.getTime())), out.summary);
}
