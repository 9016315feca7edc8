// One SQLite connection serves the whole process, and Prisma's adapter locks it only for
// transactions: a statement issued outside one (a feed settle, a mission read) used to run
// inside whichever transaction another task had open. Its write was undone when that
// transaction rolled back, and its read pinned a snapshot, so the transaction's first write
// then failed with SQLITE_BUSY at once (no busy wait) whenever another process held the write
// lock: the CI failure of a test process's save while a server wrote the same file. And a
// process writing back to back can keep another's save waiting past busy_timeout (SQLite's busy
// wait is not a queue): that save wrote nothing and is run again, like a lost race.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { isUniqueViolationError } from '../../src/storage/driverAdapter.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQLite statements outside a transaction', () => {
  let db: TestDatabase;
  let missionId: string;
  let service: MissionService;
  beforeEach(async () => {
    db = await openTestDatabase('sqlite');
    service = new MissionService({ repository: db.missions, clock: new TestClock(), ids: sequentialIds(), drafter: deterministicBriefDrafter });
    missionId = (await service.startMission({ intent: SEED_INTENT, channelId: 'C0MISSIONS' }, JORDAN)).id;
  });
  afterEach(async () => {
    await db.destroy();
  });

  /**
   * Another process (a server, the CLI) takes the write lock, runs `update` with 'Written by the
   * other process' and the mission id, and commits after `ms`. It must be another process: SQLite's
   * busy wait sleeps this whole thread. Resolves once the lock is held, with the process's exit (its code).
   */
  const otherProcessHolding = async (update: string, ms: number): Promise<{ exited: Promise<number | null> }> => {
    const other = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.prepare('BEGIN IMMEDIATE').run();
         db.prepare(process.argv[3]).run('Written by the other process', process.argv[2]);
         process.stdout.write('locked\\n');
         setTimeout(() => { db.prepare('COMMIT').run(); db.close(); }, Number(process.argv[4]));`,
        (db.target as { filename: string }).filename,
        missionId,
        update,
        String(ms),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(other, 'exit').then(([code]) => code as number | null);
    await once(other.stdout!, 'data');
    return { exited };
  };

  const titleOf = async () => {
    const [[title]] = (await db.direct.query({ sql: 'SELECT "title" FROM "Mission" WHERE "id" = ?', values: [missionId] })) as [[string]];
    return title;
  };

  /**
   * Opens a Prisma transaction that changes the requester, starts `anotherTask` (another caller's
   * work, not awaited by the transaction) while it is open, then gives up; resolves with the
   * transaction's error and what `anotherTask` returned.
   */
  const whileATransactionGivesUp = async <T>(anotherTask: () => T): Promise<{ failed: unknown; started: T }> => {
    let started: T | undefined;
    const failed = await db.prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('UPDATE "Mission" SET "requesterId" = ? WHERE "id" = ?', 'U0SOMEONE', missionId);
        started = anotherTask();
        await sleep(30);
        throw new Error('this transaction gives up');
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    return { failed, started: started as T };
  };

  it('keeps a write made while another task’s transaction is open, when that transaction rolls back', async () => {
    const { failed, started: outside } = await whileATransactionGivesUp(() =>
      db.direct.query({ sql: 'UPDATE "Mission" SET "title" = ? WHERE "id" = ?', values: ['Written outside', missionId] }),
    );
    expect((failed as Error).message).toBe('this transaction gives up');
    await outside;
    expect(await titleOf()).toBe('Written outside');
    const [[requesterId]] = (await db.direct.query({ sql: 'SELECT "requesterId" FROM "Mission" WHERE "id" = ?', values: [missionId] })) as [[string]];
    expect(requesterId).toBe(JORDAN.id);
  });

  it('runs a direct transaction after another task’s open transaction, not inside it, all or nothing', async () => {
    // The save path's transactions run synchronously on the connection once it is their turn (driverAdapter.ts).
    const { failed, started: direct } = await whileATransactionGivesUp(() =>
      db.direct.transaction([
        { sql: 'UPDATE "Mission" SET "title" = ?, "updatedAt" = ? WHERE "id" = ?', values: ['Written in turn', new Date('2026-11-29T10:00:00Z'), missionId] },
      ]),
    );
    expect((failed as Error).message).toBe('this transaction gives up');
    expect(await direct).toEqual([1]);
    expect(await titleOf()).toBe('Written in turn');
    // Dates are written as Prisma's adapter writes them, so every reader parses them alike.
    const [[updatedAt]] = (await db.direct.query({ sql: 'SELECT "updatedAt" FROM "Mission" WHERE "id" = ?', values: [missionId] })) as [[string]];
    expect(updatedAt).toBe('2026-11-29T10:00:00.000+00:00');
    expect((await db.missions.get(missionId))?.updatedAt.toISOString()).toBe('2026-11-29T10:00:00.000Z');

    // A statement that fails undoes the ones before it, and the driver's error says it was a duplicate.
    const [[eventId]] = (await db.direct.query({ sql: 'SELECT "id" FROM "MissionEvent" WHERE "missionId" = ? LIMIT 1', values: [missionId] })) as [[string]];
    const duplicate = await db.direct
      .transaction([
        { sql: 'UPDATE "Mission" SET "title" = ? WHERE "id" = ?', values: ['Never kept', missionId] },
        { sql: 'INSERT INTO "MissionEvent" SELECT * FROM "MissionEvent" WHERE "id" = ?', values: [eventId] },
      ])
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isUniqueViolationError(duplicate)).toBe(true);
    expect(await titleOf()).toBe('Written in turn');
  });

  it('lets a transaction wait for another process’s write lock even when a read arrives while it is open', async () => {
    // Another process holds the write lock for 600 ms.
    const { exited } = await otherProcessHolding('UPDATE "Mission" SET "title" = ? WHERE "id" = ?', 600);

    const saved = db.prisma.$transaction(async (tx) => {
      await sleep(100);
      return tx.$executeRawUnsafe('UPDATE "Mission" SET "requesterId" = ? WHERE "id" = ?', 'U0SOMEONE', missionId);
    });
    await sleep(30);
    // Another task reads while that transaction is open.
    const read = titleOf();
    expect(await saved).toBe(1);
    expect(await read).toBe('Written by the other process');
    expect(await exited).toBe(0);
  });

  it('runs a save again when another process holds the write lock past busy_timeout, and keeps both writes', { timeout: 30_000 }, async () => {
    // The other process holds the write lock for 6.5 s, past the connection's 5 s busy_timeout:
    // the save's first attempt gives up (SQLite reports busy), writes nothing, and is run again.
    const { exited } = await otherProcessHolding('UPDATE "MissionFeedCursor" SET "lastError" = ? WHERE "missionId" = ?', 6500);
    const locked = await service.lockBrief({ missionId }, JORDAN);
    expect(locked.state).toBe('preparing');
    expect(await exited).toBe(0);
    const rows = (await db.direct.query({ sql: 'SELECT DISTINCT "lastError" FROM "MissionFeedCursor" WHERE "missionId" = ?', values: [missionId] })) as [
      string,
    ][];
    expect(rows).toEqual([['Written by the other process']]);
    const stored = await db.missions.get(missionId);
    expect(stored?.state).toBe('preparing');
    expect(stored?.version).toBe(locked.version);
  });
});
