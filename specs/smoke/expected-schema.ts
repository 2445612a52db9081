/**
 * The schema the smoke gate expects, carried from the requirements
 * (docs/requirements.md): core tables in every butler database, and each
 * butler's own tables. Types are information_schema `data_type` values.
 */
const ts = 'timestamp with time zone';

export const CORE_TABLES: Record<string, Record<string, string>> = {
  state: { key: 'text', value: 'jsonb', created_at: ts, updated_at: ts },
  scheduled_tasks: {
    id: 'uuid', name: 'text', cron: 'text', prompt: 'text', enabled: 'boolean', source: 'text',
    target_butler: 'text', status: 'text', due_at: ts, last_run_at: ts, last_session_id: 'uuid',
    last_error: 'text', created_at: ts, updated_at: ts,
  },
  sessions: {
    session_id: 'uuid', butler_name: 'text', trigger_source: 'text', kind: 'text', prompt: 'text',
    model: 'text', status: 'text', created_at: ts, completed_at: ts, duration_ms: 'integer',
    lock_wait_ms: 'integer', tool_calls: 'jsonb', output: 'text', input_tokens: 'integer',
    output_tokens: 'integer', api_requests: 'integer', cost_usd: 'numeric', trace_id: 'text',
    error: 'text', request_id: 'uuid', subrequest_id: 'text', tag: 'text', scheduled_task_id: 'uuid',
    runtime_pid: 'integer', cache_creation_input_tokens: 'integer', cache_read_input_tokens: 'integer',
  },
  approvals: {
    id: 'uuid', tool_name: 'text', tool_args: 'jsonb', session_id: 'uuid', status: 'text',
    requested_at: ts, decided_at: ts, decided_by: 'text', reason: 'text', executed_at: ts,
  },
  schema_migrations: { chain: 'text', version: '*', name: 'text', checksum: 'text', applied_at: ts },
};

/** Butler tables by owner: column names as specified (types checked where the spec fixes them). */
export const BUTLER_TABLES: Record<string, Record<string, string[]>> = {
  switchboard: {
    message_inbox: [
      'request_id', 'dedupe_key', 'schema_version', 'source_channel', 'source_provider', 'endpoint_identity',
      'sender_identity', 'content_type', 'body', 'sent_at', 'idempotency_key', 'thread_target',
      'notification_preferences', 'routing_hints', 'metadata', 'status', 'trace_id', 'received_at', 'updated_at',
    ],
    butler_registry: [
      'name', 'endpoint_url', 'description', 'capabilities', 'tools', 'routable', 'route_contract_version',
      'eligibility_state', 'consecutive_failures', 'quarantined_at', 'quarantine_reason', 'last_seen_at',
      'registered_at', 'updated_at',
    ],
    routing_log: [
      'id', 'request_id', 'subrequest_id', 'origin', 'target_butler', 'tool_name', 'status', 'error_class',
      'error_message', 'client_reused', 'preflight', 'route_contract_version', 'duration_ms', 'trace_id', 'tag',
      'created_at',
    ],
    fanout_execution_log: [
      'id', 'dispatch_id', 'request_id', 'subrequest_id', 'segment_id', 'butler', 'mode', 'join_policy',
      'abort_policy', 'required', 'depends_on', 'run_if', 'status', 'error_class', 'error_message',
      'target_session_id', 'started_at', 'finished_at', 'duration_ms', 'created_at',
    ],
  },
  general: {
    collections: ['id', 'name', 'description', 'session_id', 'created_at'],
    entities: ['id', 'collection_id', 'title', 'data', 'tags', 'updated_at', 'session_id', 'created_at'],
  },
  relationship: {
    contacts: ['id', 'name', 'email', 'phone', 'birthday', 'notes', 'updated_at', 'session_id', 'created_at'],
    interactions: ['id', 'contact_id', 'kind', 'summary', 'occurred_at', 'session_id', 'created_at'],
    reminders: ['id', 'contact_id', 'message', 'due_at', 'status', 'session_id', 'created_at'],
  },
  health: {
    measurements: ['id', 'type', 'value', 'unit', 'notes', 'measured_at', 'session_id', 'created_at'],
    medications: [
      'id', 'name', 'dosage', 'frequency', 'status', 'started_at', 'stopped_at', 'stop_reason', 'notes',
      'session_id', 'created_at',
    ],
    symptoms: ['id', 'name', 'severity', 'notes', 'occurred_at', 'session_id', 'created_at'],
  },
  messenger: {
    notification_log: [
      'id', 'request_id', 'channel', 'recipient', 'subject', 'body', 'status', 'error', 'sent_at', 'session_id',
      'created_at',
    ],
  },
  heartbeat: {},
};

export const MODULE_TABLES: Record<string, Record<string, string[]>> = {
  memory: { memories: ['id', 'content', 'kind', 'tags', 'embedding', 'session_id', 'created_at'] },
};

export const CORE_TOOLS = [
  'status', 'state_get', 'state_set', 'state_list', 'state_delete', 'schedule_create', 'schedule_list',
  'schedule_update', 'schedule_delete', 'sessions_list', 'sessions_get', 'sessions_summary', 'sessions_daily',
  'top_sessions', 'schedule_costs', 'approvals_list', 'approval_decide', 'trigger', 'tick',
];

export const ROSTER_TOOLS: Record<string, string[]> = {
  switchboard: [
    'registry_register', 'registry_list', 'registry_set_eligibility', 'registry_health_check', 'route_cache_clear',
    'ingest', 'classify', 'dispatch', 'route',
  ],
  general: ['collection_create', 'collection_list', 'entity_create', 'entity_get', 'entity_search', 'entity_update', 'entity_delete'],
  relationship: ['contact_add', 'contact_delete', 'interaction_log', 'reminder_set'],
  health: ['measurement_log', 'medication_add', 'medication_stop', 'symptom_log'],
  messenger: ['notification_log'],
  heartbeat: [],
};

export const MODULE_TOOLS: Record<string, string[]> = {
  memory: ['memory_store', 'memory_recall', 'memory_forget'],
  telegram: ['telegram_send'],
  email: ['email_send'],
  calendar: ['calendar_list_events', 'calendar_create_event'],
  email_digest: [],
};

/** Expected module status in staging, where no module has credentials (docs/ecosystem.md §9). */
export function expectedModuleStatus(module: string, hasPgvector: boolean): { status: string; phase?: string } {
  switch (module) {
    case 'telegram':
    case 'email':
    case 'calendar':
      return { status: 'failed', phase: 'credentials' };
    case 'email_digest':
      return { status: 'failed', phase: 'dependency' };
    case 'memory':
      return hasPgvector ? { status: 'active' } : { status: 'failed', phase: 'startup' };
    default:
      return { status: 'unknown module' };
  }
}
