// SlackMessageStore on Prisma (SlackMessage table), same code for SQLite and PostgreSQL.
import type { SlackMessageRecord, SlackMessageStore } from '../slack/slackMessageStore.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';

export class PrismaSlackMessageStore implements SlackMessageStore {
  constructor(private readonly prisma: PrismaClient) {}

  list(missionId: string): Promise<SlackMessageRecord[]> {
    return this.prisma.slackMessage.findMany({ where: { missionId } });
  }

  async put(record: SlackMessageRecord): Promise<void> {
    const { missionId, surface, ...rest } = record;
    await this.prisma.slackMessage.upsert({ where: { missionId_surface: { missionId, surface } }, create: record, update: rest });
  }
}
