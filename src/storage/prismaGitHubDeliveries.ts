// GitHub webhook deliveries already handled, by X-GitHub-Delivery id, in the GitHubWebhookDelivery
// table, so a redelivery is ignored by every instance. The insert is the check: it succeeds once.
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';
import type { WebhookDeliveryLog } from '../connectors/github/webhookHandler.js';

/** GitHub redelivers for a few days at most; older ids are swept once every this many deliveries. */
const KEEP_MS = 30 * 24 * 60 * 60 * 1000;
const SWEEP_EVERY = 500;

export class PrismaGitHubDeliveries implements WebhookDeliveryLog {
  private sightings = 0;

  constructor(private readonly prisma: PrismaClient) {}

  async firstSighting(deliveryId: string, event: string, nowMs: number): Promise<boolean> {
    if (++this.sightings % SWEEP_EVERY === 0) await this.prisma.gitHubWebhookDelivery.deleteMany({ where: { receivedAt: { lte: BigInt(nowMs - KEEP_MS) } } });
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO "GitHubWebhookDelivery" ("deliveryId", "event", "receivedAt") VALUES (${deliveryId}, ${event}, ${BigInt(nowMs)})
      ON CONFLICT ("deliveryId") DO NOTHING`;
    return inserted > 0;
  }

  async forget(deliveryId: string): Promise<void> {
    await this.prisma.gitHubWebhookDelivery.deleteMany({ where: { deliveryId } });
  }

  async count(): Promise<number> {
    return this.prisma.gitHubWebhookDelivery.count();
  }
}
