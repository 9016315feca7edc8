// The approval policy: per risk level a count and who may approve (people and Slack user
// groups), changed by the `approvers` command, read again when someone decides. Pure rules
// first, then the service with user groups resolved through the domain's port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  changePolicy,
  DEFAULT_APPROVAL_POLICY,
  eligibleApprovers,
  mayDecide,
  standingOf,
  uniformPolicy,
  UserGroupLookupError,
  type ApprovalPolicy,
  type ApprovalRequest,
  type UserGroupDirectory,
} from '../../src/domain/approvalPolicy.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionError } from '../../src/domain/errors.js';
import { MissionService } from '../../src/domain/missionService.js';
import { nextSteps } from '../../src/domain/nextSteps.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { OUTSIDER, SECURITY_LEAD, seedToApprovalRequested } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const SEC_LEADS = 'S0SECLEADS';

function directory(groups: Record<string, string[] | Error>): UserGroupDirectory & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    members: async (groupId) => {
      lookups.push(groupId);
      const entry = groups[groupId];
      if (entry instanceof Error) throw entry;
      if (!entry) throw new UserGroupLookupError(groupId, 'no_such_subteam');
      return entry;
    },
  };
}

const request = (riskLevel: ApprovalRequest['riskLevel']): ApprovalRequest => ({
  id: 'apr_1',
  playId: 'play_1',
  riskLevel,
  required: 1,
  eligibleApprovers: [],
  eligibleGroups: [],
  requestedBy: JORDAN,
  requestedAt: '2025-10-15T10:00:00.000Z',
  expiresAt: '2025-10-16T10:00:00.000Z',
  status: 'requested',
  decisions: [],
  decidedAt: null,
  note: null,
});

describe('changing the policy', () => {
  it('adds people and groups per risk, sets counts, and removes them again', () => {
    let policy = changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: ['high', 'critical'], ids: [ADVISOR.id, SEC_LEADS] });
    policy = changePolicy(policy, { kind: 'add', risks: ['critical'], ids: [SECURITY_LEAD.id], required: 3 });
    expect(policy.byRisk.low).toEqual({ required: 1, people: [], groups: [] });
    expect(policy.byRisk.high).toEqual({ required: 1, people: [ADVISOR.id], groups: [SEC_LEADS] });
    expect(policy.byRisk.critical).toEqual({ required: 3, people: [ADVISOR.id, SECURITY_LEAD.id], groups: [SEC_LEADS] });
    policy = changePolicy(policy, { kind: 'remove', risks: ['high'], ids: [SEC_LEADS] });
    policy = changePolicy(policy, { kind: 'require', risks: ['low'], required: 0 });
    expect(policy.byRisk.high.groups).toEqual([]);
    expect(policy.byRisk.low.required).toBe(0);
    // The policy changed is a new value; the one passed in is untouched.
    expect(DEFAULT_APPROVAL_POLICY.byRisk.high).toEqual({ required: 1, people: [], groups: [] });
  });

  it('refuses ids that are neither users nor groups, unknown removals and impossible counts, naming the field', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(MissionError);
        return error as MissionError;
      }
      throw new Error('expected a refusal');
    };
    expect(bad(() => changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: ['high'], ids: ['@jordan'] }))).toMatchObject({
      code: 'invalid_input',
      details: { field: 'ids' },
      message: expect.stringContaining('"@jordan" is not a Slack user id (U… or W…) or user group id (S…)'),
    });
    expect(bad(() => changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'remove', risks: ['low'], ids: [ADVISOR.id] })).message).toBe(
      'U0ADVISOR is not an approver at low risk; nothing was changed. `mission-control approvers list` shows who is.',
    );
    expect(bad(() => changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'require', risks: ['low'], required: 12 })).details).toEqual({ field: 'required' });
    expect(bad(() => changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: [], ids: [ADVISOR.id] })).details).toEqual({ field: 'risk' });
  });
});

describe('a quota from a group', () => {
  it('is set with its group, must fit the count, and goes when the group is removed', () => {
    let policy = changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: ['critical'], ids: [ADVISOR.id], required: 2 });
    policy = changePolicy(policy, { kind: 'quota', risks: ['critical'], quota: { groupId: SEC_LEADS, count: 1 } });
    expect(policy.byRisk.critical).toEqual({ required: 2, people: [ADVISOR.id], groups: [SEC_LEADS], quota: { groupId: SEC_LEADS, count: 1 } });
    expect(() => changePolicy(policy, { kind: 'quota', risks: ['critical'], quota: { groupId: SEC_LEADS, count: 3 } })).toThrow(
      'quota: at least 3 from S0SECLEADS does not fit critical risk, which needs 2 approvals; the quota must be from 1 to 2.',
    );
    expect(() => changePolicy(policy, { kind: 'require', risks: ['critical'], required: 0 })).toThrow('the quota must be from 1 to 0');
    expect(changePolicy(policy, { kind: 'remove', risks: ['critical'], ids: [SEC_LEADS] }).byRisk.critical).toEqual({
      required: 2,
      people: [ADVISOR.id],
      groups: [],
    });
  });
});

describe('who may decide', () => {
  const policy: ApprovalPolicy = changePolicy(
    changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: ['low', 'critical'], ids: [JORDAN.id, ADVISOR.id] }),
    { kind: 'add', risks: ['critical'], ids: [SEC_LEADS] },
  );

  it('keeps the requester off their own high and critical requests, by person and through the token acting for them', () => {
    expect(eligibleApprovers(policy, 'low', JORDAN)).toEqual({ people: [JORDAN.id, ADVISOR.id], groups: [] });
    expect(eligibleApprovers(policy, 'critical', JORDAN)).toEqual({ people: [ADVISOR.id], groups: [SEC_LEADS] });
    const token = { kind: 'mcp_token' as const, id: 'claude-code', onBehalfOf: JORDAN.id };
    expect(eligibleApprovers(policy, 'critical', token).people).toEqual([ADVISOR.id]);
  });

  it('lets a member of an eligible group decide, and never the requester through a group', async () => {
    const groups = directory({ [SEC_LEADS]: [SECURITY_LEAD.id, JORDAN.id] });
    const lead = await standingOf(policy, request('critical'), JORDAN, SECURITY_LEAD, groups);
    expect(mayDecide(request('critical'), SECURITY_LEAD, JORDAN, lead)).toEqual({ allowed: true, viaGroup: SEC_LEADS });
    const own = await standingOf(policy, request('critical'), JORDAN, JORDAN, groups);
    expect(mayDecide(request('critical'), JORDAN, JORDAN, own)).toEqual({
      allowed: false,
      reason: 'You requested this critical-risk mission, so someone else must approve it: U0ADVISOR or a member of user group S0SECLEADS.',
    });
    // Named in person: no lookup at all.
    groups.lookups.splice(0);
    await standingOf(policy, request('critical'), JORDAN, ADVISOR, groups);
    expect(groups.lookups).toEqual([]);
  });

  it('refuses outsiders and assistants, in plain ids for every front door', async () => {
    const groups = directory({ [SEC_LEADS]: [SECURITY_LEAD.id] });
    const outsider = await standingOf(policy, request('critical'), JORDAN, OUTSIDER, groups);
    expect(mayDecide(request('critical'), OUTSIDER, JORDAN, outsider)).toEqual({
      allowed: false,
      reason: 'You are not an approver for this mission. Ask U0ADVISOR or a member of user group S0SECLEADS.',
    });
    const assistant = await standingOf(policy, request('critical'), JORDAN, ASSISTANT, groups);
    expect(mayDecide(request('critical'), ASSISTANT, JORDAN, assistant)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('assistants and automation never can'),
    });
  });

  it('says which group could not be read rather than calling the person an outsider', async () => {
    const groups = directory({ [SEC_LEADS]: new UserGroupLookupError(SEC_LEADS, 'missing_scope: the Slack app lacks the usergroups:read scope') });
    const error = await refusal(standingOf(policy, request('critical'), JORDAN, OUTSIDER, groups));
    expect(error).toMatchObject({ code: 'precondition_failed', details: { groups: [SEC_LEADS] } });
    expect(error.message).toContain('could not read the members of user group S0SECLEADS: missing_scope: the Slack app lacks the usergroups:read scope');
    const noSlack = await refusal(standingOf(policy, request('critical'), JORDAN, OUTSIDER, null));
    expect(noSlack.message).toContain('user groups cannot be read because Slack is not configured');
  });

  it('tells whoever clicks on a request nobody can decide how approvers are named', async () => {
    const standing = await standingOf(DEFAULT_APPROVAL_POLICY, request('high'), JORDAN, ADVISOR, null);
    expect(mayDecide(request('high'), ADVISOR, JORDAN, standing)).toEqual({
      allowed: false,
      reason:
        'Nobody can approve high-risk plays yet: an admin names them with `mission-control approvers add --risk high <Slack user id U… or user group id S…>`, and this request can be approved as soon as they are.',
    });
  });
});

describe.each(PROVIDERS)('the service reads the policy when people decide, on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let policy: ApprovalPolicy;
  let groups: ReturnType<typeof directory>;
  let service: MissionService;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock('2025-10-15T09:47:00.000Z');
    policy = DEFAULT_APPROVAL_POLICY;
    groups = directory({ [SEC_LEADS]: [SECURITY_LEAD.id] });
    service = new MissionService({
      repository: db.missions,
      clock,
      ids: sequentialIds(),
      drafter: deterministicBriefDrafter,
      approvalPolicies: { current: async () => policy },
      userGroups: groups,
    });
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('a default install accepts the request, waits, and says how to name approvers; the group named later decides', async () => {
    const waiting = await seedToApprovalRequested(service, clock);
    expect(waiting.state).toBe('awaiting_approval');
    expect(waiting.approval).toMatchObject({ riskLevel: 'critical', required: 2, eligibleApprovers: [], eligibleGroups: [] });
    expect(nextSteps(waiting).waitingFor).toMatchObject({ kind: 'approvals', missing: 2 });
    expect((nextSteps(waiting).waitingFor as { who: string }).who).toMatch(
      /^an approver, but none is configured for critical risk: an admin names them with `mission-control approvers add --risk critical/,
    );

    policy = changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: ['critical'], ids: [ADVISOR.id, SEC_LEADS] });
    await service.decideApproval({ missionId: waiting.id, decision: 'approve' }, SECURITY_LEAD);
    const approved = await service.decideApproval({ missionId: waiting.id, decision: 'approve' }, ADVISOR);
    expect(approved.state).toBe('executing');
    expect(approved.approval!.decisions.map((d) => [d.approverId, d.viaGroup])).toEqual([
      [SECURITY_LEAD.id, SEC_LEADS],
      [ADVISOR.id, undefined],
    ]);
    const granted = (await db.missions.events(waiting.id)).filter((e) => e.type === 'approval_granted');
    expect(granted[0]!.payload).toMatchObject({ approver_id: SECURITY_LEAD.id, via_group: SEC_LEADS });
  });

  it('a group that cannot be read refuses the decision with the reason, and writes nothing', async () => {
    const waiting = await seedToApprovalRequested(service, clock);
    policy = changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: ['critical'], ids: ['S0GONE'] });
    const before = { mission: await db.missions.get(waiting.id), events: (await db.missions.events(waiting.id)).length };
    const error = await refusal(service.decideApproval({ missionId: waiting.id, decision: 'approve' }, SECURITY_LEAD));
    expect(error.code).toBe('precondition_failed');
    expect(error.message).toContain('could not read the members of user group S0GONE: no_such_subteam');
    expect({ mission: await db.missions.get(waiting.id), events: (await db.missions.events(waiting.id)).length }).toEqual(before);
  });

  it('critical needs 2 approvals of which 1 from the group: two outsiders of the group cannot close it, a member does', async () => {
    const OTHER = { kind: 'slack_user' as const, id: 'U0OTHERAPPR', name: 'Other approver' };
    policy = changePolicy(
      changePolicy(DEFAULT_APPROVAL_POLICY, { kind: 'add', risks: ['critical'], ids: [ADVISOR.id, OTHER.id, SECURITY_LEAD.id], required: 2 }),
      {
        kind: 'quota',
        risks: ['critical'],
        quota: { groupId: SEC_LEADS, count: 1 },
      },
    );
    const waiting = await seedToApprovalRequested(service, clock);
    expect(waiting.approval).toMatchObject({ required: 2, quota: { groupId: SEC_LEADS, count: 1 } });
    expect((nextSteps(waiting).waitingFor as { who: string }).who).toContain(
      'U0ADVISOR, U0OTHERAPPR, U0SECLEAD or a member of user group S0SECLEADS, at least 1 of them from user group S0SECLEADS',
    );

    const first = await service.decideApproval({ missionId: waiting.id, decision: 'approve' }, ADVISOR);
    expect(first.state).toBe('awaiting_approval');
    const before = { mission: await db.missions.get(waiting.id), events: (await db.missions.events(waiting.id)).length };
    const second = await refusal(service.decideApproval({ missionId: waiting.id, decision: 'approve' }, OTHER));
    expect(second).toMatchObject({
      code: 'permission_denied',
      message: 'The remaining approval must come from members of user group S0SECLEADS, and you are not one.',
    });
    expect({ mission: await db.missions.get(waiting.id), events: (await db.missions.events(waiting.id)).length }).toEqual(before);

    // Named in person and a member of the group: counts toward the quota.
    const approved = await service.decideApproval({ missionId: waiting.id, decision: 'approve' }, SECURITY_LEAD);
    expect(approved.state).toBe('executing');
    expect(approved.approval!.decisions.map((d) => [d.approverId, d.inQuotaGroup])).toEqual([
      [ADVISOR.id, false],
      [SECURITY_LEAD.id, true],
    ]);
  });

  it('removing an approver takes effect on requests already waiting', async () => {
    policy = uniformPolicy({
      approvers: [ADVISOR.id, SECURITY_LEAD.id],
      requiredApprovals: { low: 1, medium: 1, high: 1, critical: 1 },
      requesterExcludedAt: ['high', 'critical'],
      expiresAfterMinutes: 60,
    });
    const waiting = await seedToApprovalRequested(service, clock);
    expect(waiting.approval!.eligibleApprovers).toEqual([ADVISOR.id, SECURITY_LEAD.id]);
    policy = changePolicy(policy, { kind: 'remove', risks: ['critical'], ids: [ADVISOR.id] });
    const error = await refusal(service.decideApproval({ missionId: waiting.id, decision: 'approve' }, ADVISOR));
    expect(error).toMatchObject({ code: 'permission_denied', message: 'You are not an approver for this mission. Ask U0SECLEAD.' });
  });
});
