/**
 * A content block of the Anthropic Messages API, as far as the double reads or
 * writes it: `text`, `tool_use`, `tool_result` (other block types pass through).
 */
export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
  tool_use_id?: string;
  content?: string | Array<{ type: string; text?: string }>;
  is_error?: boolean;
  [key: string]: unknown;
}

/** One conversation turn of a Messages API request. */
export interface MessageParam {
  role: 'user' | 'assistant';
  content: string | ContentBlock[];
}

/** A tool definition as sent by a client: name, description and JSON Schema of its input. */
export interface ToolDefinition {
  name: string;
  description?: string;
  input_schema?: JsonSchema;
  /** A prompt-cache breakpoint (prompt-cache.ts). */
  cache_control?: CacheControl;
}

/** `cache_control` of a tool or content block: `ephemeral`, TTL `5m` (default) or `1h`. */
export interface CacheControl {
  type: string;
  ttl?: string;
}

/** The subset of JSON Schema the double reads when choosing tools and filling arguments. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  examples?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: unknown;
  items?: JsonSchema;
  [key: string]: unknown;
}

/** The request fields the double honours (everything else is ignored). */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: string; text?: string; cache_control?: CacheControl }>;
  messages: MessageParam[];
  tools?: ToolDefinition[];
  tool_choice?: { type: 'auto' | 'any' | 'none' | 'tool'; name?: string };
  stream?: boolean;
  [key: string]: unknown;
}

/** What the policy decided for one request, before usage and ids are attached. */
export interface PolicyOutput {
  content: ContentBlock[];
  stop_reason: 'end_turn' | 'tool_use' | 'max_tokens';
  kind: RequestKind;
  /** One line for the request log, e.g. "tool_use <tool name>". */
  summary: string;
}

/** How the double classified a request (or why it refused it). */
export type RequestKind = 'classification' | 'tool_use' | 'invalid' | 'unauthenticated';

/** A Messages API response body. */
export interface MessagesResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: PolicyOutput['stop_reason'];
  stop_sequence: null;
  /** As the API reports it: `input_tokens` is only what was neither written to nor read from the prompt cache. */
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; output_tokens: number };
}

/** Attribution headers a session process sends; read for fault matching and the log only. */
export interface Attribution {
  butler: string | null;
  session_id: string | null;
  session_kind: string | null;
  tag: string | null;
}

/** One row of the request log (`GET /__control/requests`). Never holds the API key. */
export interface RequestLogEntry extends Attribution {
  id: string;
  /** ISO time the request arrived. */
  time: string;
  kind: RequestKind;
  model: string | null;
  tools: string[];
  message_count: number;
  /** HTTP status sent; null while the request is still held or in flight. */
  status: number | null;
  summary: string;
  duration_ms: number | null;
  fault_id: string | null;
  held: boolean;
  /** True while a `hold` fault keeps the request waiting for release. */
  pending: boolean;
}

/** `GET /__control/requests/:id`: the log row plus what the model was shown and what it answered. */
export interface RequestLogDetail extends RequestLogEntry {
  request: unknown;
  response: { status: number; body: unknown } | null;
}

/** Filters for the request log; `since` is an ISO time or epoch milliseconds. */
export interface RequestLogFilter {
  butler?: string;
  tag?: string;
  session_id?: string;
  since?: string | number;
}
