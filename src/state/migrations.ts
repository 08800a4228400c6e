import { sql, type Kysely, type Migration } from 'kysely';

/** Versioned migrations of the state database, applied at start (Kysely Migrator). Never edit one that shipped. */
export const MIGRATIONS: Record<string, Migration> = {
  '2026_11_27_001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('saved_questions')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('question', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('pulses')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('question', 'text', (c) => c.notNull())
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('only_if_results', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('grace_minutes', 'integer', (c) => c.notNull().defaultTo(360))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_slot_at', 'timestamptz')
        .addColumn('note', 'text')
        .execute();
      await db.schema
        .createTable('watches')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('slack'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('note', 'text')
        .execute();
      await db.schema
        .createIndex('watches_unique_target')
        .on('watches')
        .columns(['event', 'instance_id', 'channel_id'])
        .unique()
        .execute();
      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'integer')
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb')
        .addColumn('source', 'jsonb')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('locked_until', 'timestamptz')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('sent_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('deliveries_channel_sent').on('deliveries').columns(['channel_id', 'sent_at']).execute();
      await db.schema
        .createTable('watermarks')
        .addColumn('instance_id', 'text', (c) => c.primaryKey())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('enterprise_id', 'integer', (c) => c.notNull())
        .addColumn('updated_on', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('enterprise_states')
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('enterprise_id', 'integer', (c) => c.notNull())
        .addColumn('sells', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('enterprise_states_pk', ['instance_id', 'enterprise_id'])
        .execute();
      await db.schema
        .createTable('watch_events')
        .addColumn('watch_id', 'integer', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('enterprise_id', 'integer', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('delivery_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('watch_events_pk', ['watch_id', 'instance_id', 'enterprise_id', 'event'])
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('user_id', 'text')
        .addColumn('channel_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('question', 'text')
        .addColumn('duration_ms', 'integer')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
    },
  },
  '2026_11_28_002_billing_runs': {
    async up(db: Kysely<any>) {
      // What each monthly billing post sent, so it can be shown again exactly, whatever the replica says later.
      await db.schema
        .createTable('billing_runs')
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('lines', 'jsonb', (c) => c.notNull())
        .addColumn('totals', 'jsonb', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('billing_runs_pk', ['instance_id', 'month'])
        .execute();
    },
  },
  '2026_11_28_003_seen_requests': {
    async up(db: Kysely<any>) {
      // Slack may deliver the same command, click or event twice (X-Slack-Retry-Num); whichever process
      // records its key first answers, the others only acknowledge.
      await db.schema
        .createTable('seen_requests')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('seen_requests_at').on('seen_requests').column('at').execute();
    },
  },
  '2026_11_29_004_saved_questions_per_channel': {
    async up(db: Kysely<any>) {
      // A saved question belongs to the channel it was saved in: names are unique per channel, and
      // nobody overwrites another channel's (or another person's) question. Older rows keep '' as channel.
      await db.schema.alterTable('saved_questions').addColumn('channel_id', 'text', (c) => c.notNull().defaultTo('')).execute();
      await sql`alter table saved_questions drop constraint saved_questions_pkey`.execute(db);
      await sql`alter table saved_questions add primary key (channel_id, name)`.execute(db);
    },
  },
  '2026_11_29_005_enterprise_events_webhooks': {
    async up(db: Kysely<any>) {
      // The API's event feed (new profiles and shops per instance, once each) and webhooks that are gone.
      await db.schema
        .createTable('enterprise_events')
        .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('enterprise_id', 'integer', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('detected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('enterprise_events_pk', ['instance_id', 'enterprise_id', 'event'])
        .execute();
      await db.schema.createIndex('enterprise_events_feed').on('enterprise_events').columns(['instance_id', 'seq']).execute();
      await db.schema
        .createTable('webhook_states')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '2026_11_29_006_billing_run_plan': {
    async up(db: Kysely<any>) {
      // The plan a monthly post applied, so `as-sent` names it even after the config changes.
      await db.schema.alterTable('billing_runs').addColumn('plan', 'jsonb').execute();
    },
  },
  '2026_11_30_007_dashboards_replica_outages': {
    async up(db: Kysely<any>) {
      // Dashboards made from Slack (`dashboard add`); the config's own are not stored.
      await db.schema
        .createTable('dashboards')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('questions', 'jsonb', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // One row per replica outage seen by any process: the ops channel hears of it once, and once when it ends.
      await db.schema
        .createTable('replica_outages')
        .addColumn('instance_id', 'text', (c) => c.primaryKey())
        .addColumn('down_since', 'timestamptz', (c) => c.notNull())
        .addColumn('last_error', 'text', (c) => c.notNull())
        .addColumn('notified_at', 'timestamptz')
        .execute();
    },
  },
};
