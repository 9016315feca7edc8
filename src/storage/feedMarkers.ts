// The feed's pending marker, as the mission save writes it. Each feed cursor carries its
// mission's latest event seq and a `dueAt`: set when a save leaves events undelivered, cleared
// once they are delivered (prismaMissionFeed.ts). Written in the save's own transaction, so no
// accepted change can be saved without being marked, and claims and /metrics find due work
// through the partial index on `dueAt` instead of comparing two tables row by row.
import { FEED_CONSUMERS } from '../domain/missionFeed.js';
import type { SqlStatement, SqlValue } from './driverAdapter.js';

export type Provider = 'sqlite' | 'postgresql';

/** Placeholders as a statement is written: `?` on SQLite, `$n` (cast when typed) on PostgreSQL. */
export function placeholders(provider: Provider): { values: SqlValue[]; param: (value: SqlValue, postgresType?: string) => string } {
  const values: SqlValue[] = [];
  return {
    values,
    param: (value, postgresType) => {
      values.push(value);
      if (provider === 'sqlite') return '?';
      return postgresType ? `CAST($${values.length} AS ${postgresType})` : `$${values.length}`;
    },
  };
}

/** A save as the pending marker records it. */
export interface MarkedSave {
  missionId: string;
  eventSeq: number;
  savedAt: Date;
  /**
   * The feed worker of the saving process, which holds the mission in memory and so delivers it
   * cheapest: other workers leave the change to it for a moment (`preferredOwner`). Null for a
   * process that delivers nothing (stdio): any worker takes the change at once.
   */
  savedBy: string | null;
}

/**
 * The UPDATE that marks every consumer's cursor of a mission pending up to the save's `eventSeq`.
 * A cursor already due (or leased, or deferred) keeps its time; one coalescing (`quietUntil`)
 * waits for it; a dead one stays parked. `condition` is extra SQL that must hold (the save's
 * version guard), written with the same `param`.
 */
export function markPendingSql(provider: Provider, param: (value: SqlValue, postgresType?: string) => string, save: MarkedSave, condition = ''): string {
  const { missionId, eventSeq } = save;
  const at = save.savedAt.getTime();
  // Written left to right, as the statement reads: SQLite's placeholders are positional.
  const set =
    `"eventSeq" = ${param(eventSeq, 'INTEGER')}, ` +
    `"pendingSince" = COALESCE("pendingSince", ${param(at, 'BIGINT')}), ` +
    `"dueAt" = CASE WHEN "dead" = true OR "dueAt" IS NOT NULL THEN "dueAt" WHEN "quietUntil" > ${param(at, 'BIGINT')} THEN "quietUntil" ELSE ${param(at, 'BIGINT')} END, ` +
    `"preferredOwner" = ${param(save.savedBy, 'TEXT')}`;
  // The consumer list lets the primary key serve the look-up by mission.
  const cursors = `"consumer" IN (${FEED_CONSUMERS.map((c) => param(c, 'TEXT')).join(', ')}) AND "missionId" = ${param(missionId, 'TEXT')}`;
  // PostgreSQL: the cursors are locked in key order, as a worker's settle locks them
  // (prismaMissionFeed.ts), whatever order the plan meets them in (a small table is scanned in
  // storage order); two statements taking the same rows in different orders can deadlock.
  const where =
    provider === 'postgresql'
      ? `("consumer", "missionId") IN (SELECT "consumer", "missionId" FROM "MissionFeedCursor" WHERE ${cursors} ORDER BY "consumer" FOR UPDATE)`
      : cursors;
  return `UPDATE "MissionFeedCursor" SET ${set} WHERE ${where}${condition ? ` AND ${condition}` : ''}`;
}

/** The marker update as a statement of its own (SQLite's transaction, Prisma's batch). */
export function markPending(provider: Provider, save: MarkedSave, guard?: { version: number; headHash: string }): SqlStatement {
  const { missionId } = save;
  const { values, param } = placeholders(provider);
  const sql = markPendingSql(provider, param, save, '');
  if (!guard) return { sql, values };
  // Only if the mission row now carries this save's version and head hash (the save won its race).
  const condition = `EXISTS (SELECT 1 FROM "Mission" WHERE "id" = ${param(missionId, 'TEXT')} AND "version" = ${param(guard.version, 'INTEGER')} AND "headHash" = ${param(guard.headHash, 'TEXT')})`;
  return { sql: `${sql} AND ${condition}`, values };
}
