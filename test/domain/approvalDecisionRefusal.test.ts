// Front doors ask the domain whether a person may decide an approval before they open a form
// (Slack's Reject asks before its reason modal). The answer must be the decision's own answer,
// expiry included, and asking must write nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MissionService } from '../../src/domain/missionService.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { OUTSIDER, SECURITY_LEAD, SEED_POLICY, seedToApprovalRequested, seedService } from '../support/seedJourney.js';
import { ADVISOR, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';

describe.each(PROVIDERS)('asking before an approval decision on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock('2025-10-15T09:47:00.000Z');
    service = seedService(db.missions, clock);
  });
  afterEach(async () => {
    await db.destroy();
  });

  async function stored(missionId: string) {
    return { mission: await db.missions.get(missionId), events: (await db.missions.events(missionId)).length };
  }

  it('refuses a request past its expiry that no sweep has closed yet, as the decision would', async () => {
    const { id } = await seedToApprovalRequested(service, clock);
    clock.advance(SEED_POLICY.expiresAfterMinutes * 60_000 + 1);
    const before = await stored(id);
    expect(before.mission!.approval!.status).toBe('requested');

    const asked = await service.approvalDecisionRefusal({ missionId: id, decision: 'reject' }, ADVISOR);
    expect(asked).toMatchObject({ code: 'approval_expired' });
    expect(asked!.message).toMatch(/expired at .*Request approval again/);
    expect(await stored(id)).toEqual(before);

    const decided = await refusal(service.decideApproval({ missionId: id, decision: 'reject', reason: 'too late' }, ADVISOR));
    expect({ code: decided.code, message: decided.message }).toEqual({ code: asked!.code, message: asked!.message });
    expect(await stored(id)).toEqual(before);
  });

  it('gives the decision its own answers for someone who may not decide and for a request already decided', async () => {
    const { id, approval } = await seedToApprovalRequested(service, clock);
    const before = await stored(id);

    for (const actor of [OUTSIDER, JORDAN]) {
      const asked = await service.approvalDecisionRefusal({ missionId: id, decision: 'reject', requestId: approval!.id }, actor);
      const decided = await refusal(service.decideApproval({ missionId: id, decision: 'reject', requestId: approval!.id, reason: 'no' }, actor));
      expect(asked).toMatchObject({ code: 'permission_denied', message: decided.message });
    }
    expect(await stored(id)).toEqual(before);

    await service.decideApproval({ missionId: id, decision: 'reject', reason: 'Split the CSRF work out' }, SECURITY_LEAD);
    const afterReject = await stored(id);
    const late = await service.approvalDecisionRefusal({ missionId: id, decision: 'reject', requestId: approval!.id }, ADVISOR);
    expect(late).toMatchObject({ code: 'already_decided' });
    expect(late!.message).toContain('already rejected by');
    expect(await stored(id)).toEqual(afterReject);
  });

  it('answers null for an approver who may decide, and asking changes nothing the decision then does', async () => {
    const { id } = await seedToApprovalRequested(service, clock);
    const before = await stored(id);
    expect(await service.approvalDecisionRefusal({ missionId: id, decision: 'reject' }, ADVISOR)).toBeNull();
    expect(await stored(id)).toEqual(before);

    const rejected = await service.decideApproval({ missionId: id, decision: 'reject', reason: 'Too risky before the launch' }, ADVISOR);
    expect(rejected.state).toBe('planning');
    expect(rejected.approval!.decisions).toMatchObject([{ approverId: ADVISOR.id, decision: 'rejected' }]);
  });

  it('names the mission when it does not exist', async () => {
    const missing = await refusal(service.approvalDecisionRefusal({ missionId: 'msn_9999', decision: 'reject' }, ADVISOR));
    expect(missing.code).toBe('mission_not_found');
    expect(missing.message).toContain('msn_9999');
  });
});
