import { operatorGrant } from '../src/core/access.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { createLogger } from '../src/core/log.js';
import { DeliveryWorker, enqueue } from '../src/jobs/outbox.js';
import { ledgerTime } from '../src/state/deliveries.js';
import { composePulse, enqueueDuePulses, type PulseSource } from '../src/jobs/pulses.js';
import { pollInstance } from '../src/jobs/watcher.js';
import { startJobs } from '../src/jobs/start-jobs.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { testConfig, testDeps } from './support/deps.js';
import { OfnError } from '../src/core/errors.js';
import { channelGone, refused } from '../src/jobs/delivery-rules.js';

const TOKEN = 'xoxb-jobs';
const CHANNEL = 'C0DIGEST1';
const logger = createLogger('silent');

let replica: TestDatabase;
let fixture: OfnFixture;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let client: WebClient;
let clock: Date;
let deps: ReturnType<typeof testDeps>;

beforeAll(async () => {
  replica = await createTestDatabase('jobs');
  fixture = new OfnFixture(replica.client);
  const shop = await fixture.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await fixture.order(shop, { total: '42.50', completed_at: utc('2026-10-14 12:00', 'Europe/Madrid') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: TOKEN });
  client = new WebClient(TOKEN, { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  clock = new Date('2026-10-19T06:00:00Z');
  // The pulse channels are granted katuma: deliveries are re-authorized against the access rules.
  const base = testDeps([{ id: 'katuma', name: 'Katuma', url: replica.url, timezone: 'Europe/Madrid', currency: 'EUR' }], clock, [{ channel: 'C0GONE001', instances: ['*'] }, { channel: CHANNEL, instances: ['*'] }]);
  deps = { ...base, now: () => clock };
});

afterAll(async () => {
  await deps?.close();
  await fake?.close();
  await state?.drop();
  await replica?.drop();
});

function worker(extra: Partial<ConstructorParameters<typeof DeliveryWorker>[0]> = {}) {
  return new DeliveryWorker({
    db: state.db,
    client,
    logger,
    backoffBaseMs: 50,
    // Slack's ~1 message per second per channel, shortened so tests stay fast.
    channelGapMs: 100,
    compose: (d) => composePulse(deps, d.source as PulseSource, operatorGrant(deps.config)),
    onChannelGone: async () => {},
    ...extra,
  });
}

/** Drains until nothing is pending or sending (the per-channel gap makes one drain send one message per channel). */
async function deliverAll(w = worker()) {
  await eventually(async () => {
    await w.drain();
    const left = await state.db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).where('next_attempt_at', '<=', ledgerTime(60_000)).execute();
    return left.length === 0;
  }, 20_000, 20);
}

const posts = (channel = CHANNEL) => fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === channel);

async function addPulse(schedule: string, lastSlot: string, extra: Partial<{ grace_minutes: number; channel_id: string; question: string }> = {}) {
  return (
    await state.db
      .insertInto('pulses')
      .values({
        question: extra.question ?? 'turnover katuma last-week',
        schedule,
        timezone: 'Europe/Madrid',
        channel_id: extra.channel_id ?? CHANNEL,
        only_if_results: false,
        grace_minutes: extra.grace_minutes ?? 360,
        status: 'active',
        created_by: 'U0ADMIN01',
        last_slot_at: new Date(lastSlot),
        note: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

beforeEach(async () => {
  await state.db.updateTable('pulses').set({ status: 'removed' }).execute();
});

describe('pulses', () => {
  it('a weekly pulse fires at 09:00 Europe/Madrid on both sides of the DST change, once per slot', async () => {
    const id = await addPulse('weekly mon 09:00', '2026-10-18T00:00:00Z');
    clock = new Date('2026-10-19T06:59:00Z'); // 08:59 local: not yet
    expect((await enqueueDuePulses(state.db, clock, logger)).enqueued).toBe(0);
    clock = new Date('2026-10-19T07:00:20Z'); // 09:00 CEST
    expect((await enqueueDuePulses(state.db, clock, logger)).enqueued).toBe(1);
    expect((await enqueueDuePulses(state.db, clock, logger)).enqueued).toBe(0); // a second tick, or a second process
    clock = new Date('2026-10-26T07:00:20Z'); // 08:00 CET: an hour early in winter
    expect((await enqueueDuePulses(state.db, clock, logger)).enqueued).toBe(0);
    clock = new Date('2026-10-26T08:00:20Z'); // 09:00 CET
    expect((await enqueueDuePulses(state.db, clock, logger)).enqueued).toBe(1);
    const before = posts().length;
    await deliverAll();
    const keys = await state.db.selectFrom('deliveries').select(['dedupe_key', 'status']).where('kind', '=', 'pulse').where('owner_id', '=', id).orderBy('id').execute();
    expect(keys).toEqual([
      { dedupe_key: `pulse:${id}:2026-10-19T09:00`, status: 'sent' },
      { dedupe_key: `pulse:${id}:2026-10-26T09:00`, status: 'sent' },
    ]);
    expect(posts().length - before).toBe(2);
  });

  it('after a restart within the grace window the missed slot is delivered once, labelled late; older slots are skipped', async () => {
    const id = await addPulse('daily 09:00', '2026-11-02T07:00:00Z', { grace_minutes: 120 });
    // Down from before 09:00 on the 3rd to 09:45 on the 4th: the 3rd is past grace, the 4th is within.
    clock = new Date('2026-11-04T08:45:00Z');
    const first = await enqueueDuePulses(state.db, clock, logger);
    expect(first).toEqual({ enqueued: 1, skipped: 1 });
    // The process restarts again: nothing new.
    expect(await enqueueDuePulses(state.db, clock, logger)).toEqual({ enqueued: 0, skipped: 0 });
    const before = posts().length;
    await deliverAll();
    const sent = posts().slice(before);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0]!.body.blocks)).toContain('Late delivery of pulse');
    expect(JSON.stringify(sent[0]!.body.blocks)).toContain('Wed 4 Nov 2026 09:00');
    const skipped = await state.db.selectFrom('deliveries').select(['dedupe_key', 'status']).where('kind', '=', 'pulse').where('owner_id', '=', id).where('status', '=', 'skipped').execute();
    expect(skipped).toEqual([{ dedupe_key: `pulse:${id}:2026-11-03T09:00`, status: 'skipped' }]);
  });

  it('two schedulers and two workers on one state database deliver a slot once', async () => {
    const id = await addPulse('daily 10:00', '2026-11-10T00:00:00Z');
    clock = new Date('2026-11-10T09:00:05Z');
    const other = await createStateStoreLike();
    try {
      const results = await Promise.all([enqueueDuePulses(state.db, clock, logger), enqueueDuePulses(other.db, clock, logger)]);
      expect(results.map((r) => r.enqueued).sort()).toEqual([0, 1]);
      const before = posts().length;
      await Promise.all([deliverAll(), deliverAll(worker({ db: other.db }))]);
      expect(posts().length - before).toBe(1);
      const rows = await state.db.selectFrom('deliveries').select('status').where('kind', '=', 'pulse').where('owner_id', '=', id).execute();
      expect(rows).toEqual([{ status: 'sent' }]);
    } finally {
      await other.close();
    }
  });

  it('sends the chart with a digest whose question asks for one', async () => {
    const message = await composePulse(deps, { pulseId: 5, question: 'turnover katuma 2026-10 by week chart', slotLocal: '2026-11-02T09:00', slotAt: '2026-11-02T08:00:00Z', timezone: 'Europe/Madrid', late: false, onlyIfResults: false }, operatorGrant(deps.config));
    expect(message!.files).toHaveLength(1);
    expect(Buffer.from(message!.files![0]!.base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(JSON.stringify(message!.blocks)).toContain('€42.50');
  });

  it('disables a pulse whose channel is gone and tells its creator, instead of retrying forever', async () => {
    const id = await addPulse('daily 11:00', '2026-11-11T00:00:00Z', { channel_id: 'C0GONE001' });
    clock = new Date('2026-11-11T10:00:05Z');
    await enqueueDuePulses(state.db, clock, logger);
    fake.failNext('chat.postMessage', { kind: 'error', error: 'channel_not_found' }, 1);
    const jobs = await startJobs({ state: state.db, deps, client, logger, cronEnabled: false, pollMs: 60_000, outboxMs: 50, backoffBaseMs: 50 });
    try {
      const pulse = await eventually(async () => {
        const p = await state.db.selectFrom('pulses').selectAll().where('id', '=', id).executeTakeFirst();
        return p?.status === 'disabled' ? p : undefined;
      });
      expect(pulse.note).toContain('channel_not_found');
      const notice = await fake.waitFor(() => posts('U0ADMIN01')[0]);
      expect(JSON.stringify(notice.body.blocks)).toContain(`Pulse #${id} is disabled`);
      const audit = await state.db.selectFrom('audit_log').selectAll().where('action', '=', 'pulse.disabled').execute();
      expect(audit.length).toBeGreaterThan(0);
    } finally {
      await jobs.stop();
    }
  });
});

async function createStateStoreLike() {
  const { openStateStore } = await import('../src/state/store.js');
  return openStateStore({ url: state.url });
}

describe('what a pulse’s creator is told', () => {
  it('a refused delivery and a channel gone, in the language of the pulse’s instance (Spanish here), the reason too', async () => {
    const spanish = { ...deps, config: testConfig([{ id: 'katuma', name: 'Katuma', url: replica.url, timezone: 'Europe/Madrid', locale: 'es-ES' }], [{ channel: CHANNEL, instances: ['*'] }]) };
    const id = await addPulse('daily 09:00', '2026-11-02T07:00:00Z');
    const delivery = { kind: 'pulse', owner_id: id, channel_id: CHANNEL, dedupe_key: `pulse:${id}:2026-11-03T09:00` } as never;
    const reason = OfnError.say('AccessDenied', 'error.access.hidden', { who: 'target', id: CHANNEL, names: 'Katuma', visible: '', count: 0, hidden: '`katuma`' });
    await refused(state.db, spanish, delivery, { message: reason.message, text: reason.text! }, logger);
    await channelGone(state.db, spanish, delivery, 'channel_not_found', logger);
    const told = async (key: string) => {
      const row = await state.db.selectFrom('deliveries').select(['payload', 'channel_id']).where('dedupe_key', '=', key).executeTakeFirstOrThrow();
      expect(row.channel_id).toBe('U0ADMIN01');
      const message = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { text: string; blocks: { text: { text: string } }[] };
      return { text: message.text, block: message.blocks[0]!.text.text };
    };
    const refusal = await told(`notice:pulse:${id}:refused`);
    expect(refusal.text).toBe(`El envío programado #${id} no se ha entregado en su canal: las reglas de acceso ya no lo permiten.`);
    expect(refusal.block).toBe(
      `:no_entry: El envío programado #${id} no se ha entregado en <#${CHANNEL}>: El canal ${CHANNEL} no puede ver Katuma. Puede ver: ninguna instancia. Un operador puede añadir \`katuma\` a sus \`instances\` en la configuración de ofn-insights. Lo sigo comprobando en cada envío; cambia la configuración o usa \`/ofn pulse remove ${id}\`.`,
    );
    const gone = await told(`notice:pulse:${id}:disabled:channel_not_found`);
    expect(gone.block).toBe(`:warning: El envío programado #${id} está desactivado: no puedo publicar en <#${CHANNEL}> (Slack dice \`channel_not_found\`). Invítame al canal y luego usa \`/ofn pulse resume ${id}\`.`);
    // The audit keeps the English.
    const audit = await state.db.selectFrom('audit_log').select('detail').where('action', '=', 'pulse.refused').where('detail', 'like', `pulse:${id}:%`).executeTakeFirstOrThrow();
    expect(audit.detail).toContain('may not see Katuma');
  });
});

describe('outbox', () => {
  it('a 429 storm delays deliveries but loses none and duplicates none', async () => {
    for (let i = 0; i < 3; i++) {
      await enqueue(state.db, { dedupeKey: `storm:${i}`, kind: 'notice', channelId: 'C0STORM01', message: { text: `storm ${i}`, blocks: [] } });
    }
    fake.failNext('chat.postMessage', { kind: 'ratelimited', retryAfter: 1 }, 4);
    const w = worker();
    await eventually(async () => {
      await w.drain();
      const rows = await state.db.selectFrom('deliveries').select('status').where('dedupe_key', 'like', 'storm:%').execute();
      return rows.every((r) => r.status === 'sent') ? rows : undefined;
    }, 20_000, 200);
    const delivered = posts('C0STORM01').map((c) => c.body.text).sort();
    expect(delivered).toEqual(['storm 0', 'storm 1', 'storm 2']);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429).length).toBe(4);
  });
});

describe('watches', () => {
  let watchProfiles: number;
  let watchShops: number;
  const announcements = () => posts('C0WATCH01').map((c) => JSON.stringify(c.body.blocks));

  beforeAll(async () => {
    watchProfiles = (await state.db.insertInto('watches').values({ event: 'new-profiles', instance_id: 'katuma', channel_id: 'C0WATCH01', status: 'active', created_by: 'config', source: 'config', note: null }).returning('id').executeTakeFirstOrThrow()).id;
    watchShops = (await state.db.insertInto('watches').values({ event: 'new-shops', instance_id: 'katuma', channel_id: 'C0WATCH01', status: 'active', created_by: 'config', source: 'config', note: null }).returning('id').executeTakeFirstOrThrow()).id;
  });

  const poll = async () => {
    await pollInstance(state.db, deps, 'katuma', logger);
    await deliverAll();
  };

  // Each test starts from a watcher that has run before (its mark recorded) with nothing left to send,
  // whichever tests ran before it (or none, with -t).
  beforeEach(poll);

  it('records the mark on first start without announcing history', async () => {
    // History: an enterprise that was there, freshly updated, before the watcher ever started.
    const old = await fixture.enterprise({ name: 'Forn Antic', sells: 'any' });
    await replica.client.query("update enterprises set updated_at = (now() at time zone 'utc') where id = $1", [old]);
    // A first start: no mark and nothing known about the instance yet.
    await state.db.deleteFrom('watermarks').where('instance_id', '=', 'katuma').execute();
    await state.db.deleteFrom('enterprise_states').where('instance_id', '=', 'katuma').execute();
    const before = announcements().length;
    const first = await pollInstance(state.db, deps, 'katuma', logger);
    expect(first).toEqual({ announced: 0, first: true });
    await deliverAll();
    await poll(); // and the next poll does not announce it either: it is history, not news
    expect(announcements().slice(before)).toEqual([]);
  });

  it('announces a new enterprise once, with category, town and country but no people, also across a restart', async () => {
    const spain = await fixture.country('ES', 'Spain');
    const address = await fixture.address(spain, { city: 'Girona' });
    await fixture.enterprise({ name: 'Rebost Nou', sells: 'any', address_id: address, created_at: '2026-11-27 10:00:00' });
    await replica.client.query("update enterprises set updated_at = (now() at time zone 'utc') where name = 'Rebost Nou'");
    await poll();
    const texts = announcements();
    expect(texts.filter((t) => t.includes('Rebost Nou'))).toHaveLength(2); // one new profile, one new shop
    expect(texts.some((t) => t.includes('New shop on *Katuma*') && t.includes('Hub Shop') && t.includes('Girona, Spain'))).toBe(true);
    for (const t of texts) for (const personal of ['Jordi', 'Marta', 'Puig', '@example.org', '+34']) expect(t).not.toContain(personal);
    await poll(); // the same process again, or a restarted one: the ledger remembers
    expect(announcements().filter((t) => t.includes('Rebost Nou'))).toHaveLength(2);
  });

  it('announces a profile that becomes a shop as a new shop', async () => {
    const id = await fixture.enterprise({ name: 'Granja Antiga', sells: 'none', is_primary_producer: true });
    await replica.client.query("update enterprises set updated_at = (now() at time zone 'utc') where id = $1", [id]);
    await poll();
    const before = announcements().filter((t) => t.includes('Granja Antiga'));
    expect(before).toHaveLength(1); // new profile only
    await replica.client.query("update enterprises set sells = 'own', updated_at = (now() at time zone 'utc') where id = $1", [id]);
    await poll();
    const after = announcements().filter((t) => t.includes('Granja Antiga'));
    expect(after).toHaveLength(2);
    expect(after[1]).toContain('New shop on *Katuma*');
    expect(after[1]).toContain('Producer Shop');
  });

  it('does not miss an enterprise committed with a lower id and an earlier timestamp after a higher one', async () => {
    await replica.client.query("select setval('enterprises_id_seq', 5000)");
    const high = await fixture.enterprise({ name: 'Alta', sells: 'none' });
    await replica.client.query("update enterprises set updated_at = (now() at time zone 'utc') where id = $1", [high]);
    await poll();
    // A transaction that started earlier commits now: lower id, updated_at a minute before the mark.
    const low = high - 1000;
    await replica.client.query(
      `insert into enterprises (id, name, permalink, sells, visible, created_at, updated_at, owner_id)
       select $1, 'Baixa', 'baixa', 'none', 'public', (now() at time zone 'utc') - interval '1 minute', (now() at time zone 'utc') - interval '1 minute', owner_id
         from enterprises where id = $2`,
      [low, high],
    );
    await poll();
    expect(announcements().filter((t) => t.includes('Baixa'))).toHaveLength(1);
  });

  it('turns 12 enterprises that appeared during an outage into one summary', async () => {
    for (let i = 1; i <= 12; i++) await fixture.enterprise({ name: `Hort ${i}`, sells: 'none' });
    await replica.client.query("update enterprises set updated_at = (now() at time zone 'utc') where name like 'Hort %'");
    const before = announcements().length;
    await poll();
    const added = announcements().slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toContain('12 new profiles on Katuma');
    for (let i = 1; i <= 12; i++) expect(added[0]).toContain(`Hort ${i}`);
    void watchProfiles;
    void watchShops;
  });
});
