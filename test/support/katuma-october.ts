import type pg from 'pg';
import { OfnFixture, utc } from './database.js';

/**
 * The hand-computed Katuma fixture of test/questions.test.ts (its header comment has the arithmetic),
 * shared by every test that checks a question against it (test/spoken-questions.test.ts).
 * Asked on 2026-11-15 in Europe/Madrid: October 2026 has turnover 132.69 over 5 orders.
 */
export const KATUMA_TZ = 'Europe/Madrid';
export const KATUMA_NOW = new Date('2026-11-15T12:00:00Z');

export async function seedKatumaOctober(client: pg.Client): Promise<Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G', number>> {
  const TZ = KATUMA_TZ;
  const f = new OfnFixture(client);
  const spain = await f.country();
  const addr = await f.address(spain, { city: 'Girona' });
  const ids = {
    A: await f.enterprise({ name: 'Mercat Verd', sells: 'any', address_id: addr }),
    B: await f.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true }),
    C: await f.enterprise({ name: 'Granja Sol', sells: 'none', is_primary_producer: true }),
    D: await f.enterprise({ name: 'Cooperativa Nova', sells: 'unspecified' }),
    E: await f.enterprise({ name: 'Rebost Nou', sells: 'any', created_at: utc('2026-10-31 23:59', TZ) }),
    F: await f.enterprise({ name: 'Hort Tardà', sells: 'none', created_at: utc('2026-11-01 00:01', TZ) }),
    G: await f.enterprise({ name: 'Mas Primer', sells: 'none', created_at: utc('2026-10-01 00:00:30', TZ) }),
  };
  const o = (id: number, local: string | null, total: string, state = 'complete') =>
    f.order(id, { total, state, completed_at: local === null ? null : utc(local, TZ), created_at: utc('2026-09-01 10:00', TZ) });
  await o(ids.A, '2026-10-31 23:30', '100.00');
  await o(ids.A, '2026-11-01 00:30', '7.00');
  await o(ids.A, '2026-10-01 00:15', '20.05');
  await o(ids.A, '2026-09-30 23:50', '3.00');
  await o(ids.A, '2026-10-20 12:00', '500.00', 'canceled');
  await o(ids.A, '2026-10-20 12:00', '40.00', 'returned');
  await o(ids.A, '2026-10-21 12:00', '41.00', 'awaiting_return');
  await o(ids.A, '2026-10-25 02:30', '12.34');
  await o(ids.B, '2026-10-10 09:00', '0.10', 'resumed');
  await o(ids.B, '2026-10-11 09:00', '0.20');
  await o(ids.B, null, '999.99', 'cart');
  return ids;
}
