/**
 * The contract between the spawner (in the daemon) and the session process
 * (`dist/runtime-main.cjs`): command-line flags, the stdin message, the MCP config
 * file and the single JSON result line. Shared so both sides agree by type.
 */

/** Header carrying the per-session token (docs/ecosystem.md §5). */
export const SESSION_TOKEN_HEADER = 'x-butlers-session-token';

/** The MCP config file the spawner writes (mode 0600): exactly one server. */
export interface McpConfigFile {
  mcpServers: Record<string, { type: 'http'; url: string; headers: Record<string, string> }>;
}

/** Values passed as flags. None is secret: the token lives in the config file, prompts arrive on stdin. */
export interface RuntimeArgs {
  butler: string;
  sessionId: string;
  kind: 'task' | 'classification' | 'synthesis';
  mcpConfig: string;
  model: string;
  maxTurns: number;
  tag: string | null;
  logLevel: string;
}

/**
 * Written by the spawner to the child's stdin, then stdin is closed. The
 * child starts work only after reading it, so the session row (with the
 * child's pid) always exists before the first tool call.
 */
export interface RuntimeInput {
  prompt: string;
  system_prompt: string;
}

/** One tool call as the session made it (arguments unredacted; the spawner redacts before storing). */
export interface RuntimeToolCall {
  name: string;
  arguments: unknown;
  result: unknown;
  is_error: boolean;
}

/** Stable error codes of the session process. */
export type RuntimeErrorCode =
  | 'authentication_error'
  | 'permission_error'
  | 'rate_limited'
  | 'invalid_request'
  | 'api_connection_error'
  | 'api_error'
  | 'max_turns'
  | 'mcp_error'
  | 'invalid_input'
  | 'runtime_error';

/** The single JSON line on stdout. `error` is set exactly when the exit code is non-zero. */
export interface RuntimeResult {
  output: string;
  tool_calls: RuntimeToolCall[];
  /**
   * Summed over the session's requests, as the API reports them: `input_tokens`
   * is only the input neither written to nor read from the prompt cache.
   */
  usage: {
    input_tokens: number | null;
    output_tokens: number | null;
    cache_creation_input_tokens: number | null;
    cache_read_input_tokens: number | null;
  };
  api_requests: number;
  model: string;
  error?: RuntimeErrorCode;
  /** Human detail of `error` (redacted); logged by the spawner, not stored in the row. */
  error_message?: string;
}

/** argv for the runtime entry, in the order main.ts reads them. */
export function runtimeArgv(a: RuntimeArgs): string[] {
  const argv = [
    '--butler', a.butler,
    '--session-id', a.sessionId,
    '--kind', a.kind,
    '--mcp-config', a.mcpConfig,
    '--model', a.model,
    '--max-turns', String(a.maxTurns),
    '--log-level', a.logLevel,
  ];
  if (a.tag !== null) argv.push('--tag', a.tag);
  return argv;
}
