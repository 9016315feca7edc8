// MissionFeed on Prisma. A cursor row per (consumer, mission) says how far the mission's event
// log has been handled; a mission is due when its eventSeq is past the cursor. Claims lease
// rows so that exactly one worker, in any instance, handles a mission at a time: PostgreSQL
// with FOR UPDATE SKIP LOCKED, SQLite inside its single-writer transaction.
import type { FeedClaim, FeedStats, MissionFeed, ParkedDelivery, ParkedFilter } from '../domain/missionFeed.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';

interface DueRow {
  missionId: string;
  handledSeq: number | bigint;
  eventSeq: number | bigint;
  attempts: number | bigint;
}

export class PrismaMissionFeed implements MissionFeed {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly provider: 'sqlite' | 'postgresql',
  ) {}

  async claim(consumer: string, owner: string, limit: number, leaseMs: number, now: Date): Promise<FeedClaim[]> {
    const nowMs = now.getTime();
    const leaseUntil = nowMs + leaseMs;
    const rows = this.provider === 'postgresql' ? await this.claimOnPostgres(consumer, owner, limit, nowMs, leaseUntil) : await this.claimOnSqlite(consumer, owner, limit, nowMs, leaseUntil);
    return rows.map((r) => ({ consumer, missionId: r.missionId, handledSeq: Number(r.handledSeq), eventSeq: Number(r.eventSeq), attempts: Number(r.attempts) }));
  }

  private claimOnPostgres(consumer: string, owner: string, limit: number, nowMs: number, leaseUntil: number): Promise<DueRow[]> {
    return this.prisma.$queryRaw<DueRow[]>`
      WITH due AS (
        SELECT c."consumer", c."missionId", m."eventSeq"
        FROM "MissionFeedCursor" c JOIN "Mission" m ON m."id" = c."missionId"
        WHERE c."consumer" = ${consumer} AND c."dead" = false AND m."eventSeq" > c."handledSeq"
          AND (c."leaseUntil" IS NULL OR c."leaseUntil" < ${nowMs})
          AND (c."notBefore" IS NULL OR c."notBefore" <= ${nowMs})
        ORDER BY c."notBefore" NULLS FIRST, m."updatedAt"
        LIMIT ${limit}
        FOR UPDATE OF c SKIP LOCKED
      )
      UPDATE "MissionFeedCursor" c SET "leaseOwner" = ${owner}, "leaseUntil" = ${leaseUntil}
      FROM due WHERE c."consumer" = due."consumer" AND c."missionId" = due."missionId"
      RETURNING c."missionId", c."handledSeq", due."eventSeq", c."attempts"`;
  }

  private claimOnSqlite(consumer: string, owner: string, limit: number, nowMs: number, leaseUntil: number): Promise<DueRow[]> {
    // SQLite has one writer at a time, so select-then-lease inside one transaction cannot race.
    return this.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<DueRow[]>`
        SELECT c."missionId", c."handledSeq", m."eventSeq", c."attempts"
        FROM "MissionFeedCursor" c JOIN "Mission" m ON m."id" = c."missionId"
        WHERE c."consumer" = ${consumer} AND c."dead" = false AND m."eventSeq" > c."handledSeq"
          AND (c."leaseUntil" IS NULL OR c."leaseUntil" < ${nowMs})
          AND (c."notBefore" IS NULL OR c."notBefore" <= ${nowMs})
        ORDER BY c."notBefore" IS NOT NULL, c."notBefore", m."updatedAt"
        LIMIT ${limit}`;
      if (due.length > 0) {
        await tx.missionFeedCursor.updateMany({
          where: { consumer, missionId: { in: due.map((d) => d.missionId) } },
          data: { leaseOwner: owner, leaseUntil: BigInt(leaseUntil) },
        });
      }
      return due;
    });
  }

  async acknowledge(consumer: string, missionId: string, owner: string, seq: number): Promise<void> {
    // Only the lease holder may move the cursor; a worker whose lease ran out changes nothing.
    await this.prisma.missionFeedCursor.updateMany({
      where: { consumer, missionId, leaseOwner: owner },
      data: { handledSeq: seq, attempts: 0, lastError: null, leaseOwner: null, leaseUntil: null, notBefore: null },
    });
  }

  async fail(consumer: string, missionId: string, owner: string, error: string, retryAt: Date | null): Promise<void> {
    await this.prisma.missionFeedCursor.updateMany({
      where: { consumer, missionId, leaseOwner: owner },
      data: {
        attempts: { increment: 1 },
        lastError: error.slice(0, 1000),
        leaseOwner: null,
        leaseUntil: null,
        notBefore: retryAt ? BigInt(retryAt.getTime()) : null,
        dead: retryAt === null,
      },
    });
  }

  async defer(consumer: string, missionId: string, owner: string, at: Date): Promise<void> {
    await this.prisma.missionFeedCursor.updateMany({
      where: { consumer, missionId, leaseOwner: owner },
      data: { leaseOwner: null, leaseUntil: null, notBefore: BigInt(at.getTime()) },
    });
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
    const { count } = await this.prisma.missionFeedCursor.updateMany({
      where: { consumer, dead: true, ...this.missionWhere(filter) },
      data: { dead: false, attempts: 0, lastError: null, notBefore: null, leaseOwner: null, leaseUntil: null },
    });
    return count;
  }

  private missionWhere(filter: ParkedFilter) {
    return {
      ...(filter.missionId !== undefined ? { missionId: filter.missionId } : {}),
      ...(filter.channelId !== undefined ? { mission: { is: { channelId: filter.channelId } } } : {}),
    };
  }

  async stats(consumer: string, now: Date): Promise<FeedStats> {
    const [counts] = await this.prisma.$queryRaw<Array<{ pending: number | bigint; dead: number | bigint }>>`
      SELECT
        SUM(CASE WHEN c."dead" = false AND m."eventSeq" > c."handledSeq" THEN 1 ELSE 0 END) AS "pending",
        SUM(CASE WHEN c."dead" = true THEN 1 ELSE 0 END) AS "dead"
      FROM "MissionFeedCursor" c JOIN "Mission" m ON m."id" = c."missionId"
      WHERE c."consumer" = ${consumer}`;
    const [oldest] = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT m."id" FROM "MissionFeedCursor" c JOIN "Mission" m ON m."id" = c."missionId"
      WHERE c."consumer" = ${consumer} AND c."dead" = false AND m."eventSeq" > c."handledSeq"
      ORDER BY m."updatedAt" LIMIT 1`;
    const since = oldest ? (await this.prisma.mission.findUnique({ where: { id: oldest.id }, select: { updatedAt: true } }))?.updatedAt : undefined;
    return {
      pending: Number(counts?.pending ?? 0),
      dead: Number(counts?.dead ?? 0),
      oldestPendingSeconds: since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : null,
    };
  }
}
