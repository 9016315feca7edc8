// The feed's pending marker: every save marks its mission due for each consumer in the same
// transaction, claims and /metrics find due work through an index (not by comparing every
// mission with its cursor), nothing accepted is lost across a restart, coalescing holds
// across connections, and two processes on one SQLite file claim without SQLITE_BUSY_SNAPSHOT.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import type { DirectSql, SqlStatement } from '../../src/storage/driverAdapter.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { PrismaMissionFeed } from '../../src/storage/prismaMissionFeed.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe.each(PROVIDERS)('feed pending marker on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;
  const others: Database[] = [];

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock();
    service = new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter });
  });
  afterEach(async () => {
    await Promise.all(others.splice(0).map((o) => o.close()));
    await db.destroy();
  });

  const start = (intent: string) => service.startMission({ intent, channelId: 'C0MISSIONS' }, JORDAN);
  /** Claims and acknowledges everything due for `consumer`; returns the mission ids handled. */
  const drain = async (feed: Database['feed'], consumer = 'slack') => {
    const handled: string[] = [];
    for (const claim of await feed.claim(consumer, 'drainer', 100, 30_000, clock.now())) {
      await feed.acknowledge(consumer, claim.missionId, 'drainer', claim.eventSeq, clock.now());
      handled.push(claim.missionId);
    }
    return handled.sort();
  };

  it('finds the missions changed since their last delivery and ignores handled ones, on every save path', async () => {
    const quiet = await start('Fix the flaky login test');
    const edited = await start('Add CSRF tokens');
    const toolkits = await start('Rotate the deploy keys');
    await service.lockBrief({ missionId: toolkits.id }, JORDAN);
    for (const consumer of ['slack', 'trackers']) {
      expect(await drain(db.feed, consumer)).toEqual([quiet.id, edited.id, toolkits.id].sort());
      expect(await drain(db.feed, consumer)).toEqual([]);
    }

    // A change on the row-and-events path, and one that rewrites toolkits (the batch path).
    await service.editChip({ missionId: edited.id, kind: 'scope', items: ['Only the login form'] }, JORDAN);
    await service.selectToolkits({ missionId: toolkits.id, toolkits: [{ toolkitId: 'github' }] }, JORDAN);
    const claims = await db.feed.claim('slack', 'a', 10, 30_000, clock.now());
    expect(claims.map((c) => c.missionId).sort()).toEqual([edited.id, toolkits.id].sort());
    const latest = await db.missions.get(edited.id);
    expect(claims.find((c) => c.missionId === edited.id)).toMatchObject({ handledSeq: edited.eventSeq, eventSeq: latest!.eventSeq });
    // Every consumer was marked, not only the one that claimed.
    expect((await drain(db.feed, 'trackers')).sort()).toEqual([edited.id, toolkits.id].sort());
  });

  it('keeps what was accepted across a restart: a new process finds it due, and nothing once delivered', async () => {
    const mission = await start('Fix the flaky login test');
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    // A claim whose process died before acknowledging: the lease runs out, then the work is due again.
    await db.feed.claim('slack', 'died', 10, 1_000, clock.now());

    const restarted = await openDatabase(db.url);
    others.push(restarted);
    expect(await restarted.feed.claim('slack', 'b', 10, 30_000, clock.now())).toEqual([]);
    clock.advance(1_001);
    const [claim] = await restarted.feed.claim('slack', 'b', 10, 30_000, clock.now());
    expect(claim).toMatchObject({ missionId: mission.id, handledSeq: 0, eventSeq: (await db.missions.get(mission.id))!.eventSeq });
    await restarted.feed.acknowledge('slack', mission.id, 'b', claim!.eventSeq, clock.now());

    const again = await openDatabase(db.url);
    others.push(again);
    clock.advance(60_000);
    expect(await again.feed.claim('slack', 'c', 10, 30_000, clock.now())).toEqual([]);
    expect(await again.feed.stats('slack', clock.now())).toEqual({ pending: 0, dead: 0, oldestPendingSeconds: null });
  });

  it('counts pending and dead deliveries and the age of the oldest undelivered change', async () => {
    const first = await start('Fix the flaky login test');
    clock.advance(30_000);
    const second = await start('Add CSRF tokens');
    const third = await start('Rotate the deploy keys');
    clock.advance(15_000);
    await db.feed.claim('slack', 'a', 10, 30_000, clock.now());
    await db.feed.acknowledge('slack', second.id, 'a', second.eventSeq, clock.now());
    await db.feed.fail('slack', third.id, 'a', 'channel_not_found', null);
    await db.feed.defer('slack', first.id, 'a', new Date(clock.now().getTime() + 5_000));
    // Leased, deferred or waiting to retry: still pending. Parked: dead, not pending.
    expect(await db.feed.stats('slack', clock.now())).toEqual({ pending: 1, dead: 1, oldestPendingSeconds: 45 });
    expect(await db.feed.stats('trackers', clock.now())).toEqual({ pending: 3, dead: 0, oldestPendingSeconds: 45 });

    await db.feed.revive('slack', { missionId: third.id });
    expect(await db.feed.stats('slack', clock.now())).toEqual({ pending: 2, dead: 0, oldestPendingSeconds: 45 });
    expect((await db.feed.claim('slack', 'b', 10, 30_000, clock.now())).map((c) => c.missionId)).toEqual([third.id]);
  });

  it('coalesces changes after a delivery until the window ends, whichever connection saves them', async () => {
    const mission = await start('Fix the flaky login test');
    const [claim] = await db.feed.claim('slack', 'a', 10, 30_000, clock.now());
    await db.feed.acknowledge('slack', mission.id, 'a', claim!.eventSeq, clock.now(), 1_000);

    const other = await openDatabase(db.url);
    others.push(other);
    let otherIds = 0;
    const otherService = new MissionService({
      repository: other.missions,
      clock,
      ids: { next: (prefix) => `${prefix}_other_${++otherIds}` },
      drafter: deterministicBriefDrafter,
    });
    clock.advance(200);
    for (let i = 0; i < 3; i++) await otherService.editChip({ missionId: mission.id, kind: 'scope', items: [`Scope revision ${i}`] }, JORDAN);
    expect(await other.feed.claim('slack', 'b', 10, 30_000, clock.now())).toEqual([]);
    expect((await db.feed.stats('slack', clock.now())).pending).toBe(1);
    clock.advance(800);
    const batched = await other.feed.claim('slack', 'b', 10, 30_000, clock.now());
    expect(batched).toEqual([
      expect.objectContaining({ missionId: mission.id, handledSeq: claim!.eventSeq, eventSeq: (await other.missions.get(mission.id))!.eventSeq }),
    ]);
    // Other consumers were not told to wait.
    expect(await other.feed.claim('trackers', 'b', 10, 30_000, clock.now())).toHaveLength(1);
  });

  it('serves the claim, the save marker and the metrics reads from indexes', async () => {
    await start('Fix the flaky login test');
    const statements: SqlStatement[] = [];
    const recorder: DirectSql = {
      query: async (statement) => {
        statements.push(statement);
        return [];
      },
      transaction: async () => [],
    };
    const feed = new PrismaMissionFeed(db.prisma, provider, recorder);
    await feed.claim('slack', 'a', 10, 30_000, clock.now());
    await feed.stats('slack', clock.now());
    await feed.acknowledge('slack', 'msn_0001', 'a', 2, clock.now());
    const { markPending } = await import('../../src/storage/feedMarkers.js');
    statements.push(markPending(provider, { missionId: 'msn_0001', eventSeq: 3, savedAt: clock.now(), savedBy: 'b' }, { version: 1, headHash: 'h' }));
    statements.push({ sql: 'SELECT "state", COUNT(*) FROM "Mission" GROUP BY "state"', values: [] });

    for (const statement of statements) {
      const plan = await explain(db, provider, statement);
      // No full pass over cursors or missions: every table is reached through an index.
      expect(plan, statement.sql).not.toMatch(provider === 'sqlite' ? /^SCAN (MissionFeedCursor|Mission)\b(?! USING (COVERING )?INDEX)/m : /Seq Scan/);
    }
    const claimPlan = await explain(db, provider, statements[0]!);
    expect(claimPlan).toContain('MissionFeedCursor_due_idx');
    expect(await explain(db, provider, statements[1]!)).toContain('MissionFeedCursor_due_idx');
  });
});

/** The query plan as text. PostgreSQL is told not to choose a sequential scan where an index can serve (tiny test tables make it cheaper), so one showing up means no index could. */
async function explain(db: TestDatabase, provider: string, statement: SqlStatement): Promise<string> {
  if (provider === 'sqlite') {
    const rows = await db.prisma.$queryRawUnsafe<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${statement.sql}`, ...statement.values);
    return rows.map((r) => r.detail).join('\n');
  }
  return db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
    const rows = await tx.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${statement.sql}`, ...statement.values);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/** Another process on the same database (dist/, built by `pretest`): saves `rounds` scope edits to each mission, as fast as it can. */
const WRITER = `
  const [url, rounds, ...ids] = process.argv.slice(1);
  const { openDatabase } = await import('./dist/storage/database.js');
  const { MissionService } = await import('./dist/domain/missionService.js');
  const { deterministicBriefDrafter } = await import('./dist/domain/deterministicBriefDrafter.js');
  const { JORDAN } = await import('./dist/demo/seedMission.js');
  const db = await openDatabase(url, { migrate: false });
  let n = 0;
  const service = new MissionService({ repository: db.missions, clock: { now: () => new Date() }, ids: { next: (p) => p + '_w' + ++n }, drafter: deterministicBriefDrafter });
  for (let round = 0; round < Number(rounds); round++) {
    for (const missionId of ids) await service.editChip({ missionId, kind: 'scope', items: ['Scope revision ' + round] }, JORDAN);
  }
  await db.close();
`;

describe('two processes on one SQLite file', () => {
  it('claim while the other process commits saves, without SQLITE_BUSY_SNAPSHOT, and every change is delivered', async () => {
    const db = await openTestDatabase('sqlite');
    try {
      const service = new MissionService({
        repository: db.missions,
        clock: { now: () => new Date() },
        ids: sequentialIds(),
        drafter: deterministicBriefDrafter,
      });
      const missions = await Promise.all([0, 1, 2].map((i) => service.startMission({ intent: `Mission number ${i}`, channelId: 'C0MISSIONS' }, JORDAN)));
      const writer = spawn(process.execPath, ['--input-type=module', '-e', WRITER, db.url, '60', ...missions.map((m) => m.id)], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      writer.stderr.on('data', (chunk) => {
        stderr += String(chunk);
      });
      const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
      let writing = true;
      void exited.then(() => {
        writing = false;
      });
      const delivered = new Map<string, number>();
      let claims = 0;
      // Claims and acknowledges while the writer commits; a claim that read before a commit and
      // then leased after it failed with SQLITE_BUSY_SNAPSHOT.
      while (writing || (await db.feed.stats('slack', new Date())).pending > 0) {
        for (const claim of await db.feed.claim('slack', 'reader', 10, 30_000, new Date())) {
          claims += 1;
          delivered.set(claim.missionId, claim.eventSeq);
          await db.feed.acknowledge('slack', claim.missionId, 'reader', claim.eventSeq, new Date());
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(await exited, stderr).toBe(0);
      expect(claims).toBeGreaterThan(missions.length);
      for (const m of missions) expect(delivered.get(m.id)).toBe((await db.missions.get(m.id))!.eventSeq);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
