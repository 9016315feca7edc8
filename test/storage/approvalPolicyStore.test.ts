// The stored approval policy: seeded once from the environment's policy, changed only at the
// version it was read at, and read back whole, on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changePolicy, DEFAULT_APPROVAL_POLICY, uniformPolicy } from '../../src/domain/approvalPolicy.js';
import { PrismaApprovalPolicyStore, storedApprovalPolicySource } from '../../src/storage/prismaApprovalPolicyStore.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';

const AT = new Date('2026-11-28T12:00:00.000Z');
const fromEnv = uniformPolicy({
  approvers: ['U0ENV'],
  requiredApprovals: { low: 0, medium: 1, high: 1, critical: 2 },
  requesterExcludedAt: ['high', 'critical'],
  expiresAfterMinutes: 90,
});

describe.each(PROVIDERS)('the approval policy store on %s', (provider) => {
  let db: TestDatabase;
  let store: PrismaApprovalPolicyStore;
  beforeEach(async () => {
    db = await openTestDatabase(provider);
    store = new PrismaApprovalPolicyStore(db.prisma);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('stores the seed only when nothing is stored; later seeds (another process, other env) change nothing', async () => {
    expect(await store.get('default')).toBeNull();
    const [a, b] = await Promise.all([store.getOrSeed('default', fromEnv, AT), store.getOrSeed('default', DEFAULT_APPROVAL_POLICY, AT)]);
    expect(a.policy).toEqual(b.policy);
    const other = storedApprovalPolicySource(store, 'default', DEFAULT_APPROVAL_POLICY, { now: () => AT });
    expect(await other.current()).toEqual(a.policy);
    expect(await store.get('default')).toMatchObject({ version: 1, updatedBy: 'seed' });
  });

  it('saves a change at the version it was read at, and refuses a stale one', async () => {
    const seeded = await store.getOrSeed('default', fromEnv, AT);
    const withGroup = changePolicy(changePolicy(seeded.policy, { kind: 'add', risks: ['critical'], ids: ['S0SECLEADS'], required: 2 }), {
      kind: 'quota',
      risks: ['critical'],
      quota: { groupId: 'S0SECLEADS', count: 1 },
    });
    expect(await store.save('default', withGroup, seeded.version, AT, 'cli')).toBe(true);
    expect(await store.save('default', fromEnv, seeded.version, AT, 'cli')).toBe(false);
    expect(await store.save('default', fromEnv, null, AT, 'cli')).toBe(false);
    const stored = await store.get('default');
    expect(stored).toMatchObject({ version: 2, updatedBy: 'cli', policy: withGroup });
    expect(stored!.policy.byRisk.critical).toEqual({ required: 2, people: ['U0ENV'], groups: ['S0SECLEADS'], quota: { groupId: 'S0SECLEADS', count: 1 } });
    // Another workspace has its own policy.
    expect(await store.get('other')).toBeNull();
  });

  it('a corrupt stored policy is an error naming the workspace, not a half-read policy', async () => {
    await store.getOrSeed('default', fromEnv, AT);
    await db.prisma.approvalPolicy.update({ where: { workspaceId: 'default' }, data: { policy: JSON.stringify({ byRisk: { low: { required: -1 } } }) } });
    await expect(store.get('default')).rejects.toThrow(/The stored approval policy of workspace "default" is invalid: byRisk\.low\.required/);
  });
});
