// Who may accept review alerts and approve risky work: high and critical alerts need an
// approver of that risk; the risk floor raises an assistant's understated play; whoever asked
// (in person or through a token) does not approve their own risky work unless the stored
// policy allows it at that risk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import { changePolicy, uniformPolicy, type ApprovalPolicy } from '../../src/domain/approvalPolicy.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import type { PlayDraft } from '../../src/domain/plays.js';
import { raisedRisk, riskFloor } from '../../src/domain/riskFloor.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { OUTSIDER, SECURITY_LEAD, SEED_PLAY_1, SEED_POLICY, seedToExecuting, seedToPlanning } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const DESTRUCTIVE_LOW_PLAY: PlayDraft = {
  ...SEED_PLAY_1,
  title: 'Drop the production users table and purge backups',
  rationale: 'Start clean.',
  risk: { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong' },
};

const CI_TOKEN: Actor = { kind: 'mcp_token', id: 'shared-ci' };
const ADVISOR_TOKEN: Actor = { kind: 'mcp_token', id: 'advisor-assistant', onBehalfOf: ADVISOR.id };

describe('the risk floor', () => {
  it('reads destructive work on production data as critical, whatever the play claims', () => {
    const floor = riskFloor({ brief: [], plan: ['Drop the production users table and purge backups'] });
    expect(floor.level).toBe('critical');
    expect(floor.reasons.join(' ')).toMatch(/destructive operation.*production data/);
    expect(raisedRisk('low', floor)).toEqual({ level: 'critical', raised: { from: 'low', reasons: floor.reasons } });
  });

  it('leaves plain work alone and never lowers a play', () => {
    expect(riskFloor({ brief: ['Fix the typo in the README'], plan: ['Edit README.md'] })).toEqual({ level: 'low', reasons: [] });
    expect(riskFloor({ brief: ['Add Stripe refunds'], plan: [] }).level).toBe('low');
    expect(riskFloor({ brief: [], plan: ['Add Stripe refunds'] }).level).toBe('high');
    expect(raisedRisk('critical', riskFloor({ brief: [], plan: ['Edit README.md'] }))).toEqual({ level: 'critical', raised: null });
  });
});

describe.each(PROVIDERS)('authorization on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock('2025-10-15T09:47:00.000Z');
  });
  afterEach(async () => {
    await db.destroy();
  });

  const serviceWith = (policy: ApprovalPolicy) =>
    new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter, approvalPolicy: policy });
  const seedPolicy = uniformPolicy(SEED_POLICY);

  it('refuses a critical review alert accepted by someone who is not a critical-risk approver, records the refusal, and lets an approver accept it', async () => {
    const service = serviceWith(seedPolicy);
    const { id } = await seedToExecuting(service, clock);
    const phaseId = (await service.getMission({ missionId: id })).execution!.phases[0]!.phaseId;
    await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId }, ASSISTANT);
    const raised = await service.reportProgress(
      { missionId: id, kind: 'validator_alert', phaseId, type: 'review_required', severity: 'critical', description: 'Refresh tokens stored without a TTL' },
      ASSISTANT,
    );
    const alertId = raised.execution!.alerts[0]!.id;
    const eventsBefore = (await db.missions.events(id)).length;

    const error = await refusal(service.resolveAlert({ missionId: id, alertId, outcome: 'accepted', note: 'looks fine' }, OUTSIDER));
    expect(error.code).toBe('permission_denied');
    expect(error.message).toContain('Only an approver of critical-risk plays may accept a critical review alert');
    expect(error.message).toContain(ADVISOR.id);
    const after = await service.getMission({ missionId: id });
    expect(after.execution!.alerts[0]!.status).toBe('open');
    const events = await db.missions.events(id);
    expect(events).toHaveLength(eventsBefore + 1);
    expect(events[events.length - 1]).toMatchObject({ type: 'approval_denied', payload: { actor_id: OUTSIDER.id, alert_id: alertId } });

    const accepted = await service.resolveAlert({ missionId: id, alertId, outcome: 'accepted', note: 'TTL added in the next step' }, SECURITY_LEAD);
    expect(accepted.execution!.alerts[0]!.status).toBe('resolved');
  });

  it('refuses approval by the person a token acts for when that token requested it', async () => {
    const service = serviceWith(seedPolicy);
    const planning = await seedToPlanning(service, clock);
    const play = (await service.proposePlays({ missionId: planning.id, plays: [SEED_PLAY_1] }, ASSISTANT)).plays.find((p) => p.source === 'assistant')!;
    const requested = await service.requestApproval({ missionId: planning.id, playId: play.id }, ADVISOR_TOKEN);
    expect(requested.approval!.requestedFor).toEqual([JORDAN.id, ADVISOR.id]);
    expect(requested.approval!.eligibleApprovers).toEqual([SECURITY_LEAD.id]);

    const before = await db.missions.get(planning.id);
    const error = await refusal(service.decideApproval({ missionId: planning.id, decision: 'approve' }, ADVISOR));
    expect(error.code).toBe('permission_denied');
    expect(error.message).toContain('You requested this critical-risk mission');
    expect(error.message).toContain(SECURITY_LEAD.id);
    expect(await db.missions.get(planning.id)).toEqual(before);
  });

  it("raises an assistant's low-risk destructive play to critical, and the person its token acts for may not approve it", async () => {
    const policy = uniformPolicy({ ...SEED_POLICY, requiredApprovals: { low: 1, medium: 1, high: 1, critical: 2 } });
    const service = serviceWith(policy);
    const planning = await seedToPlanning(service, clock);
    const play = (await service.proposePlays({ missionId: planning.id, plays: [DESTRUCTIVE_LOW_PLAY] }, ASSISTANT)).plays.find(
      (p) => p.source === 'assistant',
    )!;
    // Rated low by the assistant; one risk floor (riskFloor.ts), applied at proposal and again at the
    // request, reads the seed mission's subject (auth) and the plan's destructive, production-data steps.
    expect(play.riskLevel).toBe('critical');
    const requested = await service.requestApproval({ missionId: planning.id, playId: play.id }, ASSISTANT);
    expect(requested.approval).toMatchObject({ riskLevel: 'critical', required: 2, riskRaised: { from: 'low' } });
    expect(requested.approval!.riskRaised!.reasons.join(' ')).toContain('destructive operation');
    expect(requested.approval!.riskRaised!.reasons.join(' ')).toContain('authentication or authorization');
    const events = await db.missions.events(planning.id);
    expect(events.find((e) => e.type === 'approval_requested')).toMatchObject({
      type: 'approval_requested',
      actor: ASSISTANT,
      payload: { risk_level: 'critical', play_risk_level: 'low' },
    });

    const before = await db.missions.get(planning.id);
    const error = await refusal(service.decideApproval({ missionId: planning.id, decision: 'approve' }, JORDAN));
    expect(error.code).toBe('permission_denied');
    expect(await db.missions.get(planning.id)).toEqual(before);
  });

  it('lets the requester approve their own critical work only when the stored policy allows self-approval at critical', async () => {
    const allowing = changePolicy(seedPolicy, { kind: 'self_approval', risks: ['critical'], allow: true });
    expect(allowing.requesterExcludedAt).toEqual(['high']);
    const service = serviceWith(allowing);
    const planning = await seedToPlanning(service, clock);
    const play = (await service.proposePlays({ missionId: planning.id, plays: [SEED_PLAY_1] }, ASSISTANT)).plays.find((p) => p.source === 'assistant')!;
    await service.requestApproval({ missionId: planning.id, playId: play.id }, JORDAN);
    const approved = await service.decideApproval({ missionId: planning.id, decision: 'approve' }, JORDAN);
    expect(approved.approval!.decisions.map((d) => d.approverId)).toEqual([JORDAN.id]);
  });
});

describe.each(PROVIDERS)('which missions a token may act on, on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock('2025-10-15T09:47:00.000Z');
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('refuses a token acting for another person, or for nobody, on a mission outside a channel, writes nothing, and names the token on every event it writes', async () => {
    const service = new MissionService({
      repository: db.missions,
      clock,
      ids: sequentialIds(),
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
    });
    const own = await service.startMission({ intent: 'Fix the flaky checkout test in CI' }, ASSISTANT);
    const stranger: Actor = { kind: 'mcp_token', id: 'someone-elses-assistant', onBehalfOf: 'U0SOMEONE' };
    for (const token of [stranger, CI_TOKEN]) {
      const before = await db.missions.get(own.id);
      const error = await refusal(service.editChip({ missionId: own.id, kind: 'scope', items: ['everything'] }, token));
      expect(error.code).toBe('permission_denied');
      expect(error.message).toContain(`Token "${token.id}" may not act on mission ${own.id}`);
      expect(await db.missions.get(own.id)).toEqual(before);
    }
    // Jordan's other token may act on Jordan's mission; the CI token on the mission it started.
    const jordansOther: Actor = { kind: 'mcp_token', id: 'jordan-laptop', onBehalfOf: JORDAN.id };
    await service.editChip({ missionId: own.id, kind: 'scope', items: ['ci config'] }, jordansOther);
    const ci = await service.startMission({ intent: 'Bump the CI runner image' }, CI_TOKEN);
    await service.editChip({ missionId: ci.id, kind: 'scope', items: ['runner image'] }, CI_TOKEN);
    const events = await db.missions.events(own.id);
    expect(events.at(-1)!.actor).toEqual(jordansOther);
    expect(events.every((e) => e.actor.kind !== 'mcp_token' || ['claude-code-jordan', 'jordan-laptop'].includes(e.actor.id))).toBe(true);
  });
});
