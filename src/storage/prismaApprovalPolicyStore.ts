// The workspace's approval policy on Prisma (ApprovalPolicy), same code for SQLite and
// PostgreSQL. The row is parsed at this boundary, so a corrupt policy is an error naming the
// workspace rather than a half-read object.
import { z } from 'zod';
import type { ApprovalPolicy, ApprovalPolicySource } from '../domain/approvalPolicy.js';
import { RISK_LEVELS } from '../domain/plays.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';

const riskApprovers = z
  .object({
    required: z.number().int().min(0),
    people: z.array(z.string()),
    groups: z.array(z.string()),
    quota: z
      .object({ groupId: z.string(), count: z.number().int().min(1) })
      .strict()
      .optional(),
  })
  .strict();
const storedPolicy = z
  .object({
    byRisk: z.object({ low: riskApprovers, medium: riskApprovers, high: riskApprovers, critical: riskApprovers }).strict(),
    requesterExcludedAt: z.array(z.enum(RISK_LEVELS as ['low', 'medium', 'high', 'critical'])),
    expiresAfterMinutes: z.number().int().min(1),
  })
  .strict();

export interface StoredApprovalPolicy {
  workspaceId: string;
  policy: ApprovalPolicy;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

export class PrismaApprovalPolicyStore {
  constructor(private readonly prisma: PrismaClient) {}

  async get(workspaceId: string): Promise<StoredApprovalPolicy | null> {
    const row = await this.prisma.approvalPolicy.findUnique({ where: { workspaceId } });
    if (!row) return null;
    let parsed: ReturnType<typeof storedPolicy.safeParse>;
    try {
      parsed = storedPolicy.safeParse(JSON.parse(row.policy));
    } catch {
      throw new Error(
        `The stored approval policy of workspace "${workspaceId}" is not JSON; fix it with \`mission-control approvers\` after removing the row.`,
      );
    }
    if (!parsed.success)
      throw new Error(
        `The stored approval policy of workspace "${workspaceId}" is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
      );
    return { workspaceId, policy: parsed.data, version: row.version, updatedAt: row.updatedAt, updatedBy: row.updatedBy };
  }

  /** The stored policy; when none is stored yet, stores `seed` first (another process seeding at the same moment wins harmlessly). */
  async getOrSeed(workspaceId: string, seed: ApprovalPolicy, now: Date): Promise<StoredApprovalPolicy> {
    const stored = await this.get(workspaceId);
    if (stored) return stored;
    try {
      await this.prisma.approvalPolicy.create({ data: { workspaceId, policy: JSON.stringify(seed), version: 1, updatedAt: now, updatedBy: 'seed' } });
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error;
    }
    const seeded = await this.get(workspaceId);
    if (!seeded) throw new Error(`Could not store the approval policy of workspace "${workspaceId}".`);
    return seeded;
  }

  /**
   * Stores `policy` if the stored one is still at `expectedVersion` (null: nothing stored yet);
   * false when someone changed it meanwhile.
   */
  async save(workspaceId: string, policy: ApprovalPolicy, expectedVersion: number | null, now: Date, by: string): Promise<boolean> {
    if (expectedVersion === null) {
      try {
        await this.prisma.approvalPolicy.create({
          data: { workspaceId, policy: JSON.stringify(storedPolicy.parse(policy)), version: 1, updatedAt: now, updatedBy: by },
        });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'P2002') return false;
        throw error;
      }
    }
    const { count } = await this.prisma.approvalPolicy.updateMany({
      where: { workspaceId, version: expectedVersion },
      data: { policy: JSON.stringify(storedPolicy.parse(policy)), version: expectedVersion + 1, updatedAt: now, updatedBy: by },
    });
    return count === 1;
  }
}

/** The domain's port over the store: the workspace's policy, seeded from `seed` the first time it is read. */
export function storedApprovalPolicySource(
  store: PrismaApprovalPolicyStore,
  workspaceId: string,
  seed: ApprovalPolicy,
  clock: { now(): Date },
): ApprovalPolicySource {
  return { current: async () => (await store.getOrSeed(workspaceId, seed, clock.now())).policy };
}
