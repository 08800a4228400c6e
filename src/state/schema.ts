import type { ColumnType, Generated } from 'kysely';

/** The bot's own state (never a replica): saved questions, pulses, watches, the delivery ledger, marks, audit. */
type Created = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface SavedQuestionsTable {
  /** The channel it was saved in (names are unique per channel). */
  channel_id: string;
  name: string;
  question: string;
  created_by: string;
  created_at: Created;
}

export type JobStatus = 'active' | 'paused' | 'disabled' | 'removed';

export interface PulsesTable {
  id: Generated<number>;
  question: string;
  schedule: string;
  timezone: string;
  channel_id: string;
  only_if_results: boolean;
  grace_minutes: number;
  status: JobStatus;
  created_by: string;
  created_at: Created;
  /** The newest slot already enqueued or skipped, so a restart knows where it left off. */
  last_slot_at: NullableTimestamp;
  note: string | null;
}

export interface WatchesTable {
  id: Generated<number>;
  event: 'new-profiles' | 'new-shops';
  instance_id: string;
  channel_id: string;
  status: JobStatus;
  created_by: string;
  source: 'config' | 'slack';
  created_at: Created;
  note: string | null;
}

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' | 'refused';

/** The outbox and ledger: one row per message that must reach Slack exactly once. */
export interface DeliveriesTable {
  id: Generated<number>;
  /** Unique: `pulse:7:2026-10-26T09:00`, `watch:3:katuma:1234:new-shop`, `billing:katuma:2026-10`, `webhook:n8n:katuma:1234:new-shop`. */
  dedupe_key: string;
  kind: 'pulse' | 'watch' | 'billing' | 'notice' | 'webhook';
  owner_id: number | null;
  channel_id: string;
  /** The message (text + blocks) and files to send, or null while it still has to be computed. */
  payload: ColumnType<unknown, string | null, string | null>;
  /** What to compute when payload is null (a pulse's question and slot). */
  source: ColumnType<unknown, string | null, string | null>;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  created_at: Created;
  sent_at: NullableTimestamp;
}

export interface WatermarksTable {
  instance_id: string;
  /** Highest enterprises.updated_at seen (UTC text, like OFN stores it). */
  updated_at: string;
  enterprise_id: number;
  updated_on: Timestamp;
}

/** Last seen `sells` per enterprise: a profile becoming a shop is a new shop. */
export interface EnterpriseStatesTable {
  instance_id: string;
  enterprise_id: number;
  sells: string;
}

/** Each announced (instance, enterprise, event) once, whichever process saw it first. */
export interface WatchEventsTable {
  watch_id: number;
  instance_id: string;
  enterprise_id: number;
  event: 'new-profile' | 'new-shop';
  delivery_key: string;
  created_at: Created;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Created;
  user_id: string | null;
  channel_id: string | null;
  action: string;
  question: string | null;
  duration_ms: number | null;
  outcome: string;
  detail: string | null;
}

export interface BillingRunsTable {
  instance_id: string;
  month: string;
  sent_at: Created;
  currency: string;
  lines: ColumnType<unknown, string, string>;
  totals: ColumnType<unknown, string, string>;
  hash: string;
  /** The plan's terms as applied (core/billing.ts BillingPlan, without channel and time); null for runs sent before 006. */
  plan: ColumnType<unknown | null, string | undefined, string>;
}

/** Each new profile or shop once per instance, whichever process saw it first: the API's event feed and the webhooks' source. */
export interface EnterpriseEventsTable {
  /** Feed order: newest first is highest first. */
  seq: Generated<number>;
  instance_id: string;
  enterprise_id: number;
  event: 'new-profile' | 'new-shop';
  name: string;
  category: string;
  /** The enterprise's created_at, UTC text as OFN stores it. */
  created_at: string;
  detected_at: Created;
}

/** A webhook whose receiver answered 410 Gone: disabled for that URL until the config gives it another. */
export interface WebhookStatesTable {
  name: string;
  url: string;
  status: 'disabled';
  note: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A dashboard added from Slack (`dashboard add`); the config's own live in the config. */
export interface DashboardsTable {
  name: string;
  title: string;
  /** The questions, in order (a JSON array of strings). */
  questions: ColumnType<string[], string, string>;
  created_by: string;
  channel_id: string;
  created_at: Created;
}

/** A replica some process could not reach: since when, why, and whether the ops channel was told. */
export interface ReplicaOutagesTable {
  instance_id: string;
  down_since: Timestamp;
  last_error: string;
  notified_at: NullableTimestamp;
}

export interface SeenRequestsTable {
  key: string;
  at: Created;
}

export interface StateDatabase {
  dashboards: DashboardsTable;
  replica_outages: ReplicaOutagesTable;
  seen_requests: SeenRequestsTable;
  billing_runs: BillingRunsTable;
  saved_questions: SavedQuestionsTable;
  pulses: PulsesTable;
  watches: WatchesTable;
  deliveries: DeliveriesTable;
  watermarks: WatermarksTable;
  enterprise_states: EnterpriseStatesTable;
  watch_events: WatchEventsTable;
  audit_log: AuditLogTable;
  enterprise_events: EnterpriseEventsTable;
  webhook_states: WebhookStatesTable;
}
