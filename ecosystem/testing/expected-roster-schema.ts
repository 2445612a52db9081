/**
 * Butler tables as docs/ecosystem.md §4.2/§4.3 specify them, with the types the
 * migrations give (information_schema `data_type`). Domain tables add
 * `session_id` and `created_at` to the listed columns.
 */
type Columns = Record<string, string>;

const U = 'uuid';
const T = 'text';
const TS = 'timestamp with time zone';
const J = 'jsonb';
const B = 'boolean';
const I = 'integer';

const domain = (cols: Columns): Columns => ({ ...cols, session_id: U, created_at: TS });

export const EXPECTED_TABLES: Record<string, Record<string, Columns>> = {
  switchboard: {
    message_inbox: {
      request_id: U, dedupe_key: T, schema_version: T, source_channel: T, source_provider: T,
      endpoint_identity: T, sender_identity: T, content_type: T, body: T, sent_at: TS,
      idempotency_key: T, thread_target: J, notification_preferences: J, routing_hints: J,
      metadata: J, status: T, trace_id: T, received_at: TS, updated_at: TS,
    },
    butler_registry: {
      name: T, endpoint_url: T, description: T, capabilities: J, tools: J, routable: B,
      route_contract_version: T, eligibility_state: T, consecutive_failures: I, quarantined_at: TS,
      quarantine_reason: T, last_seen_at: TS, registered_at: TS, updated_at: TS,
    },
    routing_log: {
      id: U, request_id: U, subrequest_id: T, origin: T, target_butler: T, tool_name: T, status: T,
      error_class: T, error_message: T, client_reused: B, preflight: B, route_contract_version: T,
      duration_ms: I, trace_id: T, tag: T, created_at: TS,
    },
    fanout_execution_log: {
      id: U, dispatch_id: U, request_id: U, subrequest_id: T, segment_id: T, butler: T, mode: T,
      join_policy: T, abort_policy: T, required: B, depends_on: 'ARRAY', run_if: T, status: T,
      error_class: T, error_message: T, target_session_id: U, started_at: TS, finished_at: TS,
      duration_ms: I, created_at: TS,
    },
  },
  general: {
    collections: domain({ id: U, name: T, description: T }),
    entities: domain({ id: U, collection_id: U, title: T, data: J, tags: 'ARRAY', updated_at: TS }),
  },
  relationship: {
    contacts: domain({ id: U, name: T, email: T, phone: T, birthday: 'date', notes: T, updated_at: TS }),
    interactions: domain({ id: U, contact_id: U, kind: T, summary: T, occurred_at: TS }),
    reminders: domain({ id: U, contact_id: U, message: T, due_at: TS, status: T }),
  },
  health: {
    measurements: domain({ id: U, type: T, value: 'numeric', unit: T, notes: T, measured_at: TS }),
    medications: domain({
      id: U, name: T, dosage: T, frequency: T, status: T, started_at: TS, stopped_at: TS, stop_reason: T, notes: T,
    }),
    symptoms: domain({ id: U, name: T, severity: I, notes: T, occurred_at: TS }),
  },
  messenger: {
    notification_log: domain({
      id: U, request_id: U, channel: T, recipient: T, subject: T, body: T, status: T, error: T, sent_at: TS,
    }),
  },
  heartbeat: {},
};
