// The durable change feed: every recorded change reaches each consumer once it answers,
// one worker at a time per mission, across connections (instances) too.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { FeedClaim } from '../../src/domain/missionFeed.js';
import { MissionService } from '../../src/domain/missionService.js';
import { FeedWorker, retryDelayMs } from '../../src/feedWorker.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { connectToSchema, openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const silent = pino({ level: 'silent' });

describe.each(PROVIDERS)('mission feed on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock();
    service = new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter });
  });
  afterEach(async () => {
    await db.destroy();
  });

  const start = (intent = 'Fix the flaky login test') => service.startMission({ intent, channelId: 'C0MISSIONS' }, JORDAN);

  it('offers a new mission to each consumer once, leased to one owner, until acknowledged', async () => {
    const mission = await start();
    const claims = await db.feed.claim('slack', 'a', 10, 30_000, clock.now());
    expect(claims).toEqual([{ consumer: 'slack', missionId: mission.id, handledSeq: 0, eventSeq: 2, attempts: 0, claimNumber: 1 }]);
    expect(await db.feed.claim('slack', 'b', 10, 30_000, clock.now())).toEqual([]);
    // Another consumer has its own cursor.
    expect((await db.feed.claim('trackers', 'a', 10, 30_000, clock.now())).map((c) => c.missionId)).toEqual([mission.id]);

    await db.feed.acknowledge('slack', mission.id, 'a', 2, clock.now());
    expect(await db.feed.claim('slack', 'b', 10, 30_000, clock.now())).toEqual([]);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    const again = await db.feed.claim('slack', 'b', 10, 30_000, clock.now());
    expect(again).toEqual([expect.objectContaining({ missionId: mission.id, handledSeq: 2, eventSeq: mission.eventSeq + 5, claimNumber: 2 })]);
  });

  it("numbers each cursor's claims, whoever holds them: a lease that ran out and was claimed again counts too", async () => {
    const mission = await start();
    const [first] = await db.feed.claim('slack', 'a', 10, 30_000, clock.now());
    expect(first?.claimNumber).toBe(1);
    // A dies holding the lease; once it runs out B claims the mission: the second claim.
    clock.advance(30_001);
    const [second] = await db.feed.claim('slack', 'b', 10, 30_000, clock.now());
    expect(second).toMatchObject({ missionId: mission.id, claimNumber: 2 });
    // A's acknowledgement is refused (its lease is gone); B's goes through, and the next change is claim 3.
    await db.feed.acknowledge('slack', mission.id, 'a', second!.eventSeq, clock.now());
    await db.feed.acknowledge('slack', mission.id, 'b', second!.eventSeq, clock.now());
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    expect(await db.feed.claim('slack', 'a', 10, 30_000, clock.now())).toEqual([expect.objectContaining({ missionId: mission.id, claimNumber: 3 })]);
    // Each consumer counts its own.
    expect(await db.feed.claim('trackers', 'a', 10, 30_000, clock.now())).toEqual([expect.objectContaining({ claimNumber: 1 })]);
  });

  it('leaves a change to the worker of the process that saved it for the handover time, then lets any worker take it; a saver that delivers nothing hands it over at once', async () => {
    const HANDOVER = 1_000;
    const claimed = async (owner: string) => (await db.feed.claim('slack', owner, 10, 30_000, clock.now(), HANDOVER)).map((c) => c.missionId);
    db.deliverSavesHere('a');
    const mission = await start();
    // B's worker sees the change is due but leaves it to A, which holds the mission in memory.
    expect(await claimed('b')).toEqual([]);
    expect(await claimed('a')).toEqual([mission.id]);
    await db.feed.acknowledge('slack', mission.id, 'a', mission.eventSeq, clock.now());

    // Saved where B's worker delivers; B does not take it (busy, or died): after the handover time A does.
    db.deliverSavesHere('b');
    const locked = await service.lockBrief({ missionId: mission.id }, JORDAN);
    expect(await claimed('a')).toEqual([]);
    clock.advance(HANDOVER);
    expect(await claimed('a')).toEqual([mission.id]);
    await db.feed.acknowledge('slack', mission.id, 'a', locked.eventSeq, clock.now());

    // Saved by a process that runs no worker (stdio): any worker takes it at once.
    db.deliverSavesHere(null);
    await service.reopenBrief({ missionId: mission.id }, JORDAN);
    expect(await claimed('b')).toEqual([mission.id]);
    // Without a handover time, claims take whatever is due, as before.
    db.deliverSavesHere('a');
    const second = await start('Add CSRF tokens');
    expect((await db.feed.claim('slack', 'c', 10, 30_000, clock.now())).map((c) => c.missionId)).toEqual([second.id]);
  });

  it('claims for several consumers in one statement, each claim naming its consumer, and leases them like single claims', async () => {
    const first = await start();
    const second = await start('Add CSRF tokens');
    await db.feed.claim('trackers', 'other', 10, 30_000, clock.now());
    const claims = await db.feed.claimAcross(['slack', 'trackers'], 'a', 10, 30_000, clock.now());
    // Trackers' cursors are leased to another worker already: only Slack's come back.
    expect(claims.map((c) => [c.consumer, c.missionId]).sort()).toEqual([
      ['slack', first.id],
      ['slack', second.id],
    ]);
    expect(await db.feed.claim('slack', 'b', 10, 30_000, clock.now())).toEqual([]);
    expect(await db.feed.claimAcross(['slack', 'trackers', 'executor'], 'b', 1, 30_000, clock.now())).toHaveLength(1);
    await db.feed.acknowledge('slack', first.id, 'a', first.eventSeq, clock.now());
    expect(await db.feed.claimAcross(['slack'], 'c', 10, 30_000, clock.now())).toEqual([]);
    expect(await db.feed.claimAcross([], 'c', 10, 30_000, clock.now())).toEqual([]);
  });

  it('settles several deliveries in one statement, each as if on its own: later changes stay due, quiet windows hold, a deferral waits, other leases untouched', async () => {
    const first = await start();
    const second = await start('Add CSRF tokens');
    const third = await start('Rotate the API keys');
    await db.feed.claim('slack', 'other', 1, 30_000, clock.now());
    const claims = await db.feed.claimAcross(['slack', 'trackers'], 'a', 10, 30_000, clock.now());
    const otherSlack = [first.id, second.id, third.id].find((id) => !claims.some((c) => c.consumer === 'slack' && c.missionId === id));
    // A change to the second mission after the claim: its cursors stay due after the acknowledgement.
    await service.lockBrief({ missionId: second.id }, JORDAN);
    const [executorClaim] = await db.feed.claim('executor', 'a', 1, 30_000, clock.now());
    const deferredUntil = new Date(clock.now().getTime() + 5_000);
    await db.feed.settleAll(
      [
        { consumer: 'executor', missionId: executorClaim!.missionId, seq: executorClaim!.eventSeq, deferUntil: deferredUntil },
        ...claims.map((c) => ({ consumer: c.consumer, missionId: c.missionId, seq: c.eventSeq, quietMs: c.consumer === 'trackers' ? 1_000 : 0 })),
        // Held by another worker: an acknowledgement from 'a' moves nothing.
        { consumer: 'slack', missionId: otherSlack as string, seq: 99 },
      ],
      'a',
      clock.now(),
    );
    const slackDue = await db.feed.claim('slack', 'b', 10, 30_000, clock.now());
    expect(slackDue).toEqual([expect.objectContaining({ missionId: second.id, handledSeq: second.eventSeq })]);
    // The trackers' change waits out its quiet window, then is due with the acknowledged position.
    expect(await db.feed.claim('trackers', 'b', 10, 30_000, clock.now())).toEqual([]);
    clock.advance(1_001);
    expect(await db.feed.claim('trackers', 'b', 10, 30_000, clock.now())).toEqual([
      expect.objectContaining({ missionId: second.id, handledSeq: second.eventSeq }),
    ]);
    // The other worker's lease was untouched: its acknowledgement still counts.
    await db.feed.acknowledge('slack', otherSlack as string, 'other', 2, clock.now());
    expect(await db.feed.claim('slack', 'c', 10, 30_000, clock.now())).toEqual([]);
    // The deferred delivery moved nothing and is not due before its time.
    expect((await db.feed.claim('executor', 'b', 10, 30_000, clock.now())).map((c) => c.missionId)).not.toContain(executorClaim!.missionId);
    clock.advance(4_000);
    expect(await db.feed.claim('executor', 'c', 10, 30_000, clock.now())).toEqual([
      expect.objectContaining({ missionId: executorClaim!.missionId, handledSeq: 0, attempts: 0 }),
    ]);
    await db.feed.settleAll([], 'a', clock.now());
  });

  it('lets another worker take over an expired lease, and ignores the late acknowledgement', async () => {
    const mission = await start();
    await db.feed.claim('slack', 'a', 10, 1_000, clock.now());
    clock.advance(1_001);
    expect(await db.feed.claim('slack', 'b', 10, 1_000, clock.now())).toHaveLength(1);
    await db.feed.acknowledge('slack', mission.id, 'a', 2, clock.now());
    clock.advance(1_001);
    expect(await db.feed.claim('slack', 'c', 10, 1_000, clock.now())).toHaveLength(1);
  });

  it('retries failures when due, parks repeated ones as dead, and counts both', async () => {
    const first = await start();
    const second = await start('Add CSRF tokens');
    await db.feed.claim('slack', 'a', 10, 30_000, clock.now());
    await db.feed.fail('slack', first.id, 'a', 'Slack answered 500', new Date(clock.now().getTime() + 5_000));
    await db.feed.fail('slack', second.id, 'a', 'channel_not_found', null);
    expect(await db.feed.claim('slack', 'a', 10, 30_000, clock.now())).toEqual([]);
    clock.advance(60_000);
    expect(await db.feed.stats('slack', clock.now())).toEqual({ pending: 1, dead: 1, oldestPendingSeconds: 60 });
    const retried = await db.feed.claim('slack', 'a', 10, 30_000, clock.now());
    expect(retried).toEqual([expect.objectContaining({ missionId: first.id, attempts: 1 })]);
    await db.feed.defer('slack', first.id, 'a', new Date(clock.now().getTime() + 1_000));
    expect(await db.feed.claim('slack', 'a', 10, 30_000, clock.now())).toEqual([]);
    clock.advance(1_000);
    expect(await db.feed.claim('slack', 'a', 10, 30_000, clock.now())).toHaveLength(1);
  });

  it('hands each mission to exactly one of several connections claiming at once', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await start(`Mission number ${i}`)).id);
    const others: Database[] = provider === 'postgresql' ? await Promise.all([1, 2, 3].map(() => openDatabase(db.url))) : [];
    try {
      const feeds = [db.feed, ...others.map((o) => o.feed)];
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => feeds[i % feeds.length]!.claim('slack', `owner-${i}`, 5, 30_000, clock.now())));
      const claimed = claims.flat().map((c) => c.missionId);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(new Set(claimed)).toEqual(ids);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });

  it('runs consumers: a burst is handled as one change, failures retry with backoff until delivered', async () => {
    const mission = await start();
    for (let i = 0; i < 20; i++) await service.editChip({ missionId: mission.id, kind: 'scope', items: [`Scope item revision ${i}`] }, JORDAN);
    const seen: FeedClaim[] = [];
    let failuresLeft = 2;
    const worker = new FeedWorker({
      feed: db.feed,
      clock,
      logger: silent,
      consumers: [
        {
          name: 'slack',
          handle: async (claim) => {
            seen.push(claim);
            if (failuresLeft-- > 0) throw Object.assign(new Error('ratelimited'), { retryAfterMs: 30_000 });
          },
        },
      ],
    });
    expect(await worker.runOnce()).toBe(1);
    expect(seen).toEqual([expect.objectContaining({ handledSeq: 0, eventSeq: 22, attempts: 0 })]);
    clock.advance(29_000);
    expect(await worker.runOnce()).toBe(0);
    clock.advance(1_000);
    await worker.runOnce();
    clock.advance(60_000);
    await worker.runOnce();
    expect(seen.map((c) => c.attempts)).toEqual([0, 1, 2]);
    expect(await db.feed.stats('slack', clock.now())).toMatchObject({ pending: 0, dead: 0 });
  });
});

// A save and a worker's settle both lock a mission's cursors. Taken in different orders, each can
// hold one the other waits for: PostgreSQL then ends one of the two with "deadlock detected" (a
// save is retried; a settle fails its round). Both take them in key order, whatever order the
// round lists its deliveries in and whatever plan meets the rows: through the primary key, or
// in storage order once a small table has been analyzed.
describe.runIf(PROVIDERS.includes('postgresql'))('settling on postgresql while a save of the same mission waits', () => {
  it.each([
    { held: 'slack', analyzed: false },
    { held: 'trackers', analyzed: true },
  ])('settles a round and lets the save through when another transaction held the $held cursor (table analyzed: $analyzed)', async ({ held, analyzed }) => {
    const db = await openTestDatabase('postgresql');
    const [holder, observer] = await Promise.all([connectToSchema(db.url), connectToSchema(db.url)]);
    try {
      const clock = new TestClock();
      // Saves turned away, which the service would quietly retry: PostgreSQL ends a deadlock by
      // refusing one of the two, the save or the settle.
      const refusedSaves: unknown[] = [];
      const repository = new Proxy(db.missions, {
        get: (target, key) =>
          key === 'save'
            ? async (...args: Parameters<typeof target.save>) => {
                try {
                  return await target.save(...args);
                } catch (error) {
                  refusedSaves.push(error);
                  throw error;
                }
              }
            : Reflect.get(target, key),
      });
      const service = new MissionService({ repository, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter });
      const mission = await service.startMission({ intent: 'Fix the flaky login test', channelId: 'C0MISSIONS' }, JORDAN);
      const claims = await db.feed.claimAcross(['slack', 'trackers'], 'a', 10, 30_000, clock.now());
      expect(claims).toHaveLength(2);
      // Statements on this schema's cursors waiting for a row lock, seen from outside the holder's
      // transaction (inside one, pg_stat_activity is a snapshot taken once).
      const waiting = async () => {
        const { rows } = await observer.query(
          `SELECT count(DISTINCT a.pid)::int AS n FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
           WHERE a.wait_event_type = 'Lock' AND l.relation = '"MissionFeedCursor"'::regclass`,
        );
        return rows[0].n as number;
      };
      const until = async (count: number) => {
        for (let waited = 0; (await waiting()) < count; waited += 20) {
          if (waited > 10_000) throw new Error(`expected ${count} statements waiting for a lock`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      // The slack cursor's newest version now lies after the trackers' in the table, so a scan
      // of the table meets the trackers' first, as after any round that updated them in turn.
      await holder.query(`UPDATE "MissionFeedCursor" SET "claims" = "claims" WHERE "consumer" = 'slack' AND "missionId" = $1`, [mission.id]);
      if (analyzed) await holder.query('ANALYZE "MissionFeedCursor"');
      // Another transaction holds one cursor, so the save waits there, holding those it met before.
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "MissionFeedCursor" WHERE "consumer" = $1 AND "missionId" = $2 FOR UPDATE`, [held, mission.id]);
      const saved = service.lockBrief({ missionId: mission.id }, JORDAN);
      await until(1);
      // The round lists trackers first: the order a worker's consumers happen to finish in.
      const ordered = [...claims].sort((a, b) => b.consumer.localeCompare(a.consumer));
      const settled = db.feed.settleAll(
        ordered.map((c) => ({ consumer: c.consumer, missionId: c.missionId, seq: c.eventSeq })),
        'a',
        clock.now(),
      );
      await until(2);
      await holder.query('COMMIT');
      const [locked] = await Promise.all([saved, settled]);
      expect(refusedSaves).toEqual([]);
      // Both went through: the save's events are still due to every consumer, past what was settled.
      for (const consumer of ['slack', 'trackers']) {
        expect(await db.feed.claim(consumer, 'b', 10, 30_000, clock.now())).toEqual([
          expect.objectContaining({ missionId: mission.id, handledSeq: mission.eventSeq, eventSeq: locked.eventSeq }),
        ]);
      }
    } finally {
      await Promise.all([holder.end(), observer.end()]).catch(() => undefined);
      await db.destroy();
    }
  });
});

/** A round's log: its deliveries in any order (claims come back unordered), then what followed them in order. */
const roundOf = (log: readonly string[]) => {
  const end = log.findIndex((l) => l.endsWith(' end'));
  return { deliveries: [...log.slice(0, end)].sort(), after: log.slice(end) };
};

describe.each(PROVIDERS)('feed worker on %s', (provider) => {
  it('delivers changes saved close together in one round: one claim and one delivery for the burst', async () => {
    const db = await openTestDatabase(provider);
    const clock = new TestClock();
    const service = new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter });
    const mission = await service.startMission({ intent: 'Fix the flaky login test', channelId: 'C0MISSIONS' }, JORDAN);
    const seen: FeedClaim[] = [];
    // Generous, so the burst below lands within it even on a loaded machine.
    const worker = new FeedWorker({
      feed: db.feed,
      clock,
      logger: silent,
      gatherMs: 1500,
      consumers: [{ name: 'slack', handle: async (claim) => void seen.push(claim) }],
    });
    try {
      await worker.runOnce(); // the mission's start, delivered
      seen.length = 0;
      worker.start();
      await new Promise((resolve) => setTimeout(resolve, 300)); // its first round finds nothing due
      // Each save wakes the worker, as the app's saves do.
      for (let i = 0; i < 5; i++) {
        await service.editChip({ missionId: mission.id, kind: 'scope', items: [`Scope item revision ${i}`] }, JORDAN);
        worker.wake();
        await new Promise((resolve) => setTimeout(resolve, 20)); // time for a round, were one due
      }
      const latest = (await db.missions.get(mission.id))!.eventSeq;
      for (let waited = 0; seen.length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual([expect.objectContaining({ eventSeq: latest })]);
    } finally {
      await worker.stop();
      await db.destroy();
    }
  });

  it("ends each consumer's round once its deliveries are handled; when that fails, those deliveries are not settled and run again after their leases", async () => {
    const db = await openTestDatabase(provider);
    try {
      const clock = new TestClock();
      const service = new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter });
      const first = await service.startMission({ intent: 'Fix the flaky login test', channelId: 'C0MISSIONS' }, JORDAN);
      const second = await service.startMission({ intent: 'Add CSRF tokens', channelId: 'C0MISSIONS' }, JORDAN);
      const log: string[] = [];
      let failEnd = true;
      const worker = new FeedWorker({
        feed: db.feed,
        clock,
        logger: silent,
        leaseMs: 30_000,
        consumers: [
          {
            name: 'slack',
            handle: async (claim) => void log.push(`slack ${claim.missionId}`),
            endRound: async () => {
              log.push('slack end');
              if (failEnd) throw new Error('disk full');
            },
          },
          { name: 'trackers', handle: async (claim) => void log.push(`trackers ${claim.missionId}`) },
        ],
      });
      await worker.runOnce();
      // One end per round, after that consumer's deliveries.
      expect(roundOf(log.filter((l) => l.startsWith('slack')))).toEqual(roundOf([`slack ${first.id}`, `slack ${second.id}`, 'slack end']));
      // Slack's deliveries stay leased (not settled); the trackers' were settled.
      expect(await db.feed.stats('trackers', clock.now())).toMatchObject({ pending: 0 });
      expect(await db.feed.stats('slack', clock.now())).toMatchObject({ pending: 2, dead: 0 });
      log.length = 0;
      expect(await worker.runOnce()).toBe(0);
      // Once the leases end they are delivered again, and settled this time.
      failEnd = false;
      clock.advance(30_001);
      expect(await worker.runOnce()).toBe(2);
      expect(roundOf(log)).toEqual(roundOf([`slack ${first.id}`, `slack ${second.id}`, 'slack end']));
      expect(await db.feed.stats('slack', clock.now())).toMatchObject({ pending: 0, dead: 0 });
    } finally {
      await db.destroy();
    }
  });

  it('parks a delivery at once when the consumer says retrying cannot help', async () => {
    const db = await openTestDatabase(provider);
    try {
      const clock = new TestClock();
      const service = new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter });
      await service.startMission({ intent: 'Fix the flaky login test', channelId: 'C0PRIVATE' }, JORDAN);
      let calls = 0;
      const parked: string[] = [];
      const worker = new FeedWorker({
        feed: db.feed,
        clock,
        logger: silent,
        onDead: async (consumer, missionId, error) => parked.push(`${consumer}:${missionId}:${error}`),
        consumers: [
          {
            name: 'slack',
            handle: async () => {
              calls += 1;
              throw Object.assign(new Error('not_in_channel'), { permanent: true });
            },
          },
        ],
      });
      await worker.runOnce();
      clock.advance(60 * 60_000);
      await worker.runOnce();
      expect(calls).toBe(1);
      expect(await db.feed.stats('slack', clock.now())).toMatchObject({ pending: 0, dead: 1 });
      expect(parked).toEqual([expect.stringMatching(/^slack:msn_\d+:not_in_channel$/)]);
    } finally {
      await db.destroy();
    }
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially with jitter, is capped, and never undercuts Retry-After', () => {
    expect(retryDelayMs(0, undefined, 1000, 60_000, () => 0)).toBe(500);
    expect(retryDelayMs(3, undefined, 1000, 60_000, () => 1)).toBe(8000);
    expect(retryDelayMs(20, undefined, 1000, 60_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(0, { retryAfterMs: 30_000 }, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
