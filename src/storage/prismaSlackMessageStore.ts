// SlackMessageStore on Prisma's connection (SlackMessage table), same code for SQLite and
// PostgreSQL. The projector lists a mission's records when it has no copy of its own, writes a
// post's records at once and a round's edits together (putAll: one statement), so these are plain
// statements (driverAdapter.ts), without Prisma's query compiler.
import type { SlackMessageRecord, SlackMessageStore } from '../slack/slackMessageStore.js';
import type { Database } from './database.js';
import { placeholders } from './feedMarkers.js';

export class PrismaSlackMessageStore implements SlackMessageStore {
  constructor(private readonly db: Pick<Database, 'direct' | 'target'>) {}

  async list(missionId: string): Promise<SlackMessageRecord[]> {
    const { values, param } = placeholders(this.db.target.provider);
    // Milliseconds since the epoch on PostgreSQL (its timestamp has no zone); SQLite stores ISO 8601 text with its offset.
    const updatedAt = this.db.target.provider === 'postgresql' ? `CAST(EXTRACT(EPOCH FROM "updatedAt") * 1000 AS BIGINT)` : '"updatedAt"';
    const rows = await this.db.direct.query({
      sql: `SELECT "missionId", "surface", "channel", "ts", "contentHash", "headlineHash", ${updatedAt} FROM "SlackMessage" WHERE "missionId" = ${param(missionId, 'TEXT')}`,
      values,
    });
    return rows.map(([mission, surface, channel, ts, contentHash, headlineHash, at]) => ({
      missionId: String(mission),
      surface: String(surface),
      channel: String(channel),
      ts: String(ts),
      contentHash: String(contentHash),
      headlineHash: String(headlineHash),
      updatedAt: typeof at === 'string' && !/^\d+$/.test(at) ? new Date(at) : new Date(Number(at)),
    }));
  }

  put(record: SlackMessageRecord): Promise<void> {
    return this.putAll([record]);
  }

  async putAll(records: readonly SlackMessageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { values, param } = placeholders(this.db.target.provider);
    const rows = records.map((record) =>
      [
        param(record.missionId, 'TEXT'),
        param(record.surface, 'TEXT'),
        param(record.channel, 'TEXT'),
        param(record.ts, 'TEXT'),
        param(record.contentHash, 'TEXT'),
        param(record.headlineHash, 'TEXT'),
        param(record.updatedAt, 'TIMESTAMP(3)'),
      ].join(', '),
    );
    await this.db.direct.query({
      sql:
        `INSERT INTO "SlackMessage" ("missionId", "surface", "channel", "ts", "contentHash", "headlineHash", "updatedAt") VALUES (${rows.join('), (')}) ` +
        `ON CONFLICT ("missionId", "surface") DO UPDATE SET "channel" = excluded."channel", "ts" = excluded."ts", "contentHash" = excluded."contentHash", "headlineHash" = excluded."headlineHash", "updatedAt" = excluded."updatedAt"`,
      values,
    });
  }
}
