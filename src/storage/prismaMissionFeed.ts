// MissionFeed on Prisma's connection. A cursor row per (consumer, mission) says how far the
// mission's event log has been handled, and carries the pending marker the mission save keeps
// (feedMarkers.ts): its copy of the mission's eventSeq and `dueAt`, the time the next delivery
// may run (null when there is nothing to do). Every statement here finds rows through the
// primary key or the partial index on `dueAt`, so idle claims and /metrics cost the same at a
// thousand missions as at a million. Each claim is one UPDATE that leases what it picked,
// setting `dueAt` to the lease's end, so exactly one worker, in any instance, handles a mission
// at a time: PostgreSQL skips rows another claim holds (FOR UPDATE SKIP LOCKED); on SQLite the
// statement takes the write lock before it reads, so a second process's commit cannot turn it
// into SQLITE_BUSY_SNAPSHOT the way a read-then-write transaction did.
import type { FeedClaim, FeedSettlement, FeedStats, MissionFeed, ParkedDelivery, ParkedFilter } from '../domain/missionFeed.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';
import type { DirectSql, SqlValue } from './driverAdapter.js';
import { placeholders, type Provider } from './feedMarkers.js';

const num = (value: unknown): number => Number(value);

export class PrismaMissionFeed implements MissionFeed {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly provider: Provider,
    /** Statements on Prisma's connection without its query compiler (driverAdapter.ts). */
    private readonly direct: DirectSql,
  ) {}

  /** One statement, written with `build`'s placeholders; returns its rows. */
  private async run(build: (param: (value: SqlValue, postgresType?: string) => string) => string): Promise<unknown[][]> {
    const { values, param } = placeholders(this.provider);
    const sql = build(param);
    return this.direct.query({ sql, values });
  }

  async claim(consumer: string, owner: string, limit: number, leaseMs: number, now: Date, handoverMs = 0): Promise<FeedClaim[]> {
    return this.claimAcross([consumer], owner, limit, leaseMs, now, handoverMs);
  }

  async claimAcross(consumers: readonly string[], owner: string, limit: number, leaseMs: number, now: Date, handoverMs = 0): Promise<FeedClaim[]> {
    if (consumers.length === 0) return [];
    const leaseUntil = now.getTime() + leaseMs;
    const rows = await this.run((p) => {
      // Placeholders are positional on SQLite: each part is written in the order it appears. The
      // claimer becomes the preferred owner: it now holds the mission, as the saver did.
      const lease = `"leaseOwner" = ${p(owner, 'TEXT')}, "leaseUntil" = ${p(leaseUntil, 'BIGINT')}, "dueAt" = ${p(leaseUntil, 'BIGINT')}, "claims" = "claims" + 1, "preferredOwner" = ${p(owner, 'TEXT')}`;
      // Another worker's change only once it has been due for the handover time; the partial index
      // still finds the due rows, and this filter drops only the newest few.
      const due = () =>
        `"consumer" IN (${consumers.map((c) => p(c, 'TEXT')).join(', ')}) AND "dueAt" IS NOT NULL AND "dueAt" <= ${p(now.getTime(), 'BIGINT')}
           AND ("preferredOwner" IS NULL OR "preferredOwner" = ${p(owner, 'TEXT')} OR "dueAt" <= ${p(now.getTime() - handoverMs, 'BIGINT')})
           ORDER BY "dueAt" LIMIT ${p(limit, 'INTEGER')}`;
      if (this.provider === 'postgresql') {
        return `WITH due AS (SELECT "consumer", "missionId" FROM "MissionFeedCursor" WHERE ${due()} FOR UPDATE SKIP LOCKED)
           UPDATE "MissionFeedCursor" c SET ${lease} FROM due WHERE c."consumer" = due."consumer" AND c."missionId" = due."missionId"
           RETURNING c."consumer", c."missionId", c."handledSeq", c."eventSeq", c."attempts", c."claims"`;
      }
      return `UPDATE "MissionFeedCursor" SET ${lease} WHERE ("consumer", "missionId") IN (SELECT "consumer", "missionId" FROM "MissionFeedCursor" WHERE ${due()})
           RETURNING "consumer", "missionId", "handledSeq", "eventSeq", "attempts", "claims"`;
    });
    return rows.map(([consumer, missionId, handledSeq, eventSeq, attempts, claims]) => ({
      consumer: String(consumer),
      missionId: String(missionId),
      handledSeq: num(handledSeq),
      eventSeq: num(eventSeq),
      attempts: num(attempts),
      claimNumber: num(claims),
    }));
  }

  async acknowledge(consumer: string, missionId: string, owner: string, seq: number, now: Date, quietMs = 0): Promise<void> {
    // Only the lease holder may move the cursor; a worker whose lease ran out changes nothing.
    // Events saved meanwhile keep it due (read from the row itself, so a save racing this
    // statement is seen on both databases); within `quietMs` they wait and go together.
    const at = now.getTime();
    const quietUntil = quietMs > 0 ? at + quietMs : null;
    await this.run(
      (p) =>
        `UPDATE "MissionFeedCursor" SET "handledSeq" = ${p(seq, 'INTEGER')}, "attempts" = 0, "lastError" = NULL, "leaseOwner" = NULL, "leaseUntil" = NULL, "notBefore" = NULL,
           "quietUntil" = ${p(quietUntil, 'BIGINT')},
           "dueAt" = CASE WHEN "eventSeq" > ${p(seq, 'INTEGER')} THEN ${p(quietUntil ?? at, 'BIGINT')} ELSE NULL END,
           "pendingSince" = CASE WHEN "eventSeq" > ${p(seq, 'INTEGER')} THEN ${p(at, 'BIGINT')} ELSE NULL END
         WHERE ${this.leased(p, consumer, missionId, owner)}`,
    );
  }

  async settleAll(settlements: readonly FeedSettlement[], owner: string, now: Date): Promise<void> {
    if (settlements.length === 0) return;
    if (settlements.length === 1) {
      const [one] = settlements as [FeedSettlement];
      if (one.deferUntil) return this.defer(one.consumer, one.missionId, owner, one.deferUntil);
      return this.acknowledge(one.consumer, one.missionId, owner, one.seq, now, one.quietMs);
    }
    // `acknowledge`'s and `defer`'s UPDATEs as one, joined to a row per delivery (`deferAt` set
    // for a deferral, which moves nothing but the lease and the time it is due): a worker's round
    // settles everything it handled with one statement instead of one per consumer and mission.
    const at = now.getTime();
    await this.run((p) => {
      // Placeholders are positional on SQLite: each part is written in the order it appears.
      const acked = `a."deferAt" IS NULL`;
      const due = `CASE WHEN NOT ${acked} THEN a."deferAt" WHEN c."eventSeq" > a."seq" THEN COALESCE(a."quietUntil", ${p(at, 'BIGINT')}) ELSE NULL END`;
      const since = `CASE WHEN NOT ${acked} THEN c."pendingSince" WHEN c."eventSeq" > a."seq" THEN ${p(at, 'BIGINT')} ELSE NULL END`;
      const rows = settlements
        .map((one) => {
          const quietUntil = !one.deferUntil && (one.quietMs ?? 0) > 0 ? at + (one.quietMs ?? 0) : null;
          return `SELECT ${p(one.consumer, 'TEXT')} AS "consumer", ${p(one.missionId, 'TEXT')} AS "missionId", ${p(one.seq, 'INTEGER')} AS "seq", ${p(quietUntil, 'BIGINT')} AS "quietUntil", ${p(one.deferUntil ? one.deferUntil.getTime() : null, 'BIGINT')} AS "deferAt"`;
        })
        .join(' UNION ALL ');
      const kept = (column: string, acknowledged: string) => `"${column}" = CASE WHEN ${acked} THEN ${acknowledged} ELSE c."${column}" END`;
      const set = `SET ${kept('handledSeq', 'a."seq"')}, ${kept('attempts', '0')}, ${kept('lastError', 'NULL')}, "leaseOwner" = NULL, "leaseUntil" = NULL,
           ${kept('notBefore', 'NULL')}, ${kept('quietUntil', 'a."quietUntil"')}, "dueAt" = ${due}, "pendingSince" = ${since}`;
      const ours = p(owner, 'TEXT');
      if (this.provider === 'sqlite') {
        // One writer at a time: there are no row locks to order.
        return `UPDATE "MissionFeedCursor" AS c ${set} FROM (${rows}) AS a WHERE c."consumer" = a."consumer" AND c."missionId" = a."missionId" AND c."leaseOwner" = ${ours}`;
      }
      // Rows are locked in key order first, the order a mission's save locks its cursors in
      // (feedMarkers.ts): in whatever order the plan met them, a save waiting for one cursor this
      // statement holds while holding another it needs would be a deadlock, and PostgreSQL would
      // end one of the two.
      return `WITH a AS (${rows}),
           locked AS (SELECT c."consumer", c."missionId" FROM "MissionFeedCursor" c JOIN a ON c."consumer" = a."consumer" AND c."missionId" = a."missionId"
             WHERE c."leaseOwner" = ${ours} ORDER BY c."consumer", c."missionId" FOR UPDATE OF c)
         UPDATE "MissionFeedCursor" c ${set}
         FROM a JOIN locked ON locked."consumer" = a."consumer" AND locked."missionId" = a."missionId"
         WHERE c."consumer" = a."consumer" AND c."missionId" = a."missionId" AND c."leaseOwner" = ${ours}`;
    });
  }

  async fail(consumer: string, missionId: string, owner: string, error: string, retryAt: Date | null): Promise<void> {
    await this.run(
      (p) =>
        `UPDATE "MissionFeedCursor" SET "attempts" = "attempts" + 1, "lastError" = ${p(error.slice(0, 1000), 'TEXT')}, "leaseOwner" = NULL, "leaseUntil" = NULL,
           "dead" = ${retryAt === null ? 'true' : 'false'}, "dueAt" = ${p(retryAt ? retryAt.getTime() : null, 'BIGINT')}
         WHERE ${this.leased(p, consumer, missionId, owner)}`,
    );
  }

  async defer(consumer: string, missionId: string, owner: string, at: Date): Promise<void> {
    await this.run(
      (p) =>
        `UPDATE "MissionFeedCursor" SET "leaseOwner" = NULL, "leaseUntil" = NULL, "dueAt" = ${p(at.getTime(), 'BIGINT')} WHERE ${this.leased(p, consumer, missionId, owner)}`,
    );
  }

  private leased(p: (value: SqlValue, postgresType?: string) => string, consumer: string, missionId: string, owner: string): string {
    return `"consumer" = ${p(consumer, 'TEXT')} AND "missionId" = ${p(missionId, 'TEXT')} AND "leaseOwner" = ${p(owner, 'TEXT')}`;
  }

  async parked(consumer: string, filter: ParkedFilter = {}): Promise<ParkedDelivery[]> {
    const rows = await this.prisma.missionFeedCursor.findMany({
      where: { consumer, dead: true, ...this.missionWhere(filter) },
      select: { missionId: true, lastError: true },
      orderBy: { missionId: 'asc' },
    });
    return rows;
  }

  async revive(consumer: string, filter: ParkedFilter = {}): Promise<number> {
    // Due at once (0 is before any clock), with the failures forgotten.
    const rows = await this.run((p) => {
      const consumerIs = `"consumer" = ${p(consumer, 'TEXT')}`;
      const mission = filter.missionId !== undefined ? ` AND "missionId" = ${p(filter.missionId, 'TEXT')}` : '';
      const channel =
        filter.channelId !== undefined ? ` AND "missionId" IN (SELECT "id" FROM "Mission" WHERE "channelId" = ${p(filter.channelId, 'TEXT')})` : '';
      return `UPDATE "MissionFeedCursor" SET "dead" = false, "attempts" = 0, "lastError" = NULL, "notBefore" = NULL, "leaseOwner" = NULL, "leaseUntil" = NULL,
           "dueAt" = CASE WHEN "eventSeq" > "handledSeq" THEN 0 ELSE NULL END
         WHERE ${consumerIs} AND "dead" = true${mission}${channel} RETURNING "missionId"`;
    });
    return rows.length;
  }

  private missionWhere(filter: ParkedFilter) {
    return {
      ...(filter.missionId !== undefined ? { missionId: filter.missionId } : {}),
      ...(filter.channelId !== undefined ? { mission: { is: { channelId: filter.channelId } } } : {}),
    };
  }

  async stats(consumer: string, now: Date): Promise<FeedStats> {
    // Pending and their age from the partial index on dueAt (dead cursors have no dueAt); dead from (consumer, dead).
    const [row] = await this.run((p) => {
      const pending = `FROM "MissionFeedCursor" WHERE "consumer" = ${p(consumer, 'TEXT')} AND "dueAt" IS NOT NULL`;
      return `SELECT (SELECT COUNT(*) ${pending}), (SELECT MIN("pendingSince") FROM "MissionFeedCursor" WHERE "consumer" = ${p(consumer, 'TEXT')} AND "dueAt" IS NOT NULL),
                (SELECT COUNT(*) FROM "MissionFeedCursor" WHERE "consumer" = ${p(consumer, 'TEXT')} AND "dead" = true)`;
    });
    const [pending, since, dead] = row ?? [0, null, 0];
    return {
      pending: num(pending),
      dead: num(dead),
      oldestPendingSeconds: since === null || since === undefined ? null : Math.max(0, Math.round((now.getTime() - num(since)) / 1000)),
    };
  }
}
