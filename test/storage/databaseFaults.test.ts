// A database that refuses writes, in one process: SQLite's max_page_count makes every write
// that needs a new page fail with a real SQLITE_FULL, as a full disk does. A failed interactive
// transaction used to keep the adapter's lock, so every later transaction waited forever.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { isTransactionConflict, storageFaultOf } from '../../src/storage/storageFaults.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { SEED_INTENT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

describe('SQLite that runs out of pages', () => {
  let db: TestDatabase;
  let service: MissionService;
  beforeEach(async () => {
    db = await openTestDatabase('sqlite');
    service = new MissionService({ repository: db.missions, clock: new TestClock(), ids: sequentialIds(), drafter: deterministicBriefDrafter });
  });
  afterEach(async () => {
    await db.destroy();
  });

  const capAtCurrentSize = async () => {
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ page_count: bigint }>>('PRAGMA page_count');
    await db.prisma.$queryRawUnsafe(`PRAGMA max_page_count = ${Number(row!.page_count)}`);
  };
  const big = (n: number) => `${`${SEED_INTENT} ${'and keep the audit trail complete '.repeat(60)}`.slice(0, 2000)} #${n}`;

  it('refuses every write clearly, writes nothing, and writes again once there is room', async () => {
    await service.startMission({ intent: SEED_INTENT, channelId: 'C0MISSIONS' }, JORDAN);
    await capAtCurrentSize();
    const before = await db.prisma.mission.count();

    for (let attempt = 0; attempt < 5; attempt++) {
      const error = await refusal(service.startMission({ intent: big(attempt), channelId: 'C0MISSIONS' }, JORDAN));
      expect(error.code).toBe('storage_unavailable');
      expect(error.message).toMatch(/^The database is full \(\/.*missions\.db: SQLITE_FULL: database or disk is full\); nothing was saved\. Free disk space/);
      expect(error.message.length).toBeLessThan(400);
    }
    // An interactive Prisma transaction (the path that used to keep the lock) fails and lets go too.
    for (let attempt = 0; attempt < 3; attempt++) {
      const failed = await db.prisma
        .$transaction(async (tx) => tx.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET logs = '${'x'.repeat(100_000)}'`))
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(storageFaultOf(failed, 'sqlite')?.kind).toBe('full');
    }
    expect(await db.prisma.mission.count()).toBe(before);

    await db.prisma.$queryRawUnsafe('PRAGMA max_page_count = 1073741823');
    await service.startMission({ intent: big(99), channelId: 'C0MISSIONS' }, JORDAN);
    expect(await db.prisma.mission.count()).toBe(before + 1);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('PostgreSQL choosing a save as a deadlock victim', () => {
  it('reads a real deadlock as a lost race (retried by the writer), not as a storage fault or an internal error', async () => {
    const pg = (await import('pg')).default;
    const url = process.env.TEST_DATABASE_URL!;
    const [a, b] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    await Promise.all([a.connect(), b.connect()]);
    const table = `deadlock_probe_${process.pid}`;
    try {
      await a.query(`CREATE TABLE ${table} (id int primary key, n int)`);
      await a.query(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query(`UPDATE ${table} SET n = n + 1 WHERE id = 1`);
      await b.query(`UPDATE ${table} SET n = n + 1 WHERE id = 2`);
      // Each waits for the other's row: PostgreSQL rolls one back with 40P01.
      const outcomes = await Promise.allSettled([a.query(`UPDATE ${table} SET n = n + 1 WHERE id = 2`), b.query(`UPDATE ${table} SET n = n + 1 WHERE id = 1`)]);
      const victim = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined;
      expect(victim).toBeDefined();
      expect((victim!.reason as { code?: string }).code).toBe('40P01');
      expect(isTransactionConflict(victim!.reason)).toBe(true);
      expect(isTransactionConflict(new Error('wrapped', { cause: victim!.reason }))).toBe(true);
      expect(storageFaultOf(victim!.reason, 'postgresql')).toBeNull();
      expect(isTransactionConflict(new Error('duplicate key value violates unique constraint'))).toBe(false);
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await b.query('ROLLBACK').catch(() => undefined);
      await a.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await Promise.all([a.end(), b.end()]);
    }
  });
});
