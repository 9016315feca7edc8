// Slack requests and events already handled, in the SlackRequestReceipt table, so every
// instance refuses a replay (see src/slack/requestGuard.ts). One statement per sighting: the
// insert succeeds the first time, and again only once the earlier sighting has expired.
import type { SharedRequestReceipts } from '../slack/requestGuard.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';

/** Expired rows are swept once every this many sightings. */
const SWEEP_EVERY = 500;

export class PrismaSlackRequestReceipts implements SharedRequestReceipts {
  private sightings = 0;

  constructor(private readonly prisma: PrismaClient) {}

  async firstSighting(key: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    if (++this.sightings % SWEEP_EVERY === 0) await this.prisma.slackRequestReceipt.deleteMany({ where: { expiresAt: { lte: BigInt(nowMs) } } });
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO "SlackRequestReceipt" ("key", "expiresAt") VALUES (${key}, ${BigInt(expiresAtMs)})
      ON CONFLICT ("key") DO UPDATE SET "expiresAt" = excluded."expiresAt" WHERE "SlackRequestReceipt"."expiresAt" <= ${BigInt(nowMs)}`;
    return inserted > 0;
  }
}
