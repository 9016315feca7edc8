// ChainCheckpoints on Prisma (both providers): one row per mission, moved forward only.
import type { ChainCheckpoint, ChainCheckpoints } from '../domain/chainCheckpoints.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';

export class PrismaChainCheckpoints implements ChainCheckpoints {
  constructor(private readonly prisma: PrismaClient) {}

  async latest(missionId: string): Promise<ChainCheckpoint | null> {
    const row = await this.prisma.missionChainCheckpoint.findUnique({ where: { missionId } });
    return row ? { eventSeq: row.eventSeq, headHash: row.headHash, sealedBundleHash: row.sealedBundleHash, verifiedAt: row.verifiedAt } : null;
  }

  async record(missionId: string, checkpoint: ChainCheckpoint): Promise<void> {
    // One statement, so two checks finishing together keep the further checkpoint whatever their order.
    await this.prisma.$executeRaw`
      INSERT INTO "MissionChainCheckpoint" ("missionId", "eventSeq", "headHash", "sealedBundleHash", "verifiedAt")
      VALUES (${missionId}, ${checkpoint.eventSeq}, ${checkpoint.headHash}, ${checkpoint.sealedBundleHash}, ${checkpoint.verifiedAt})
      ON CONFLICT ("missionId") DO UPDATE SET "eventSeq" = excluded."eventSeq", "headHash" = excluded."headHash",
        "sealedBundleHash" = excluded."sealedBundleHash", "verifiedAt" = excluded."verifiedAt"
      WHERE excluded."eventSeq" > "MissionChainCheckpoint"."eventSeq"`;
  }
}
