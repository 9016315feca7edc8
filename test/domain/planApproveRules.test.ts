// Plan & Approve rules (src/domain/planApprove.ts) called directly, no database: candidate
// plays, dismissal, selection, the approval request and decisions, and each refusal leaving the
// mission as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { eligibleApprovers, uniformPolicy, type ApproverStanding } from '../../src/domain/approvalPolicy.js';
import type { Mission } from '../../src/domain/mission.js';
import { addCandidatePlays, decideApproval, dismissPlay, expireApproval, requestApproval, selectPlay } from '../../src/domain/planApprove.js';
import { commandBy, eventTypes, inMemoryService, refusedBy } from '../support/ruleHarness.js';
import { OUTSIDER, SECURITY_LEAD, SEED_PLAY_1, SEED_PLAY_2, SEED_POLICY, seedToPlanning } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';

const POLICY = uniformPolicy(SEED_POLICY);
const NOW = new Date('2025-10-15T10:30:00.000Z');
const candidates = [SEED_PLAY_1, SEED_PLAY_2].map((draft) => ({ draft, source: 'assistant' as const, libraryEntryId: null }));

let planning: Mission;
beforeAll(async () => {
  const { service, clock } = inMemoryService();
  planning = await seedToPlanning(service, clock);
});

/** Planning with both seed plays proposed and Play 1 selected. */
function withSelectedPlay(): Mission {
  const proposed = addCandidatePlays(planning, candidates, 0, commandBy(ASSISTANT, NOW));
  const play1 = proposed.plays.find((p) => p.source === 'assistant' && p.title === SEED_PLAY_1.title)!;
  return selectPlay(proposed, { playId: play1.id }, commandBy(JORDAN, NOW));
}

function standingOf(mission: Mission): ApproverStanding {
  return { eligible: eligibleApprovers(POLICY, mission.approval!.riskLevel, mission.requester), viaGroup: null };
}

describe('addCandidatePlays', () => {
  it('adds the candidates as ranked plays with ids, and records the proposal', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    const proposed = addCandidatePlays(planning, candidates, 0, cmd);
    const added = proposed.plays.filter((p) => p.source === 'assistant');
    expect(added.map((p) => p.title).sort()).toEqual([SEED_PLAY_1.title, SEED_PLAY_2.title].sort());
    expect(proposed.plays).toHaveLength(planning.plays.length + 2);
    expect(new Set(proposed.plays.map((p) => p.id)).size).toBe(proposed.plays.length);
    expect(proposed.state).toBe('planning');
    expect(cmd.events.pending.length).toBeGreaterThan(0);
    // The rule returns a new mission; the one it was given keeps its plays.
    expect(planning.plays.some((p) => p.source === 'assistant')).toBe(false);
  });

  it('refuses once the mission has left planning', () => {
    const requested = requestApproval(withSelectedPlay(), {}, POLICY, commandBy(JORDAN, NOW));
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(requested, cmd, () => addCandidatePlays(requested, candidates, 0, cmd));
    expect(error.code).toBe('transition_refused');
    expect(error.message).toContain('A play is waiting for approval');
  });
});

describe('dismissPlay and selectPlay', () => {
  it('refuses to select a dismissed play, naming the reason', () => {
    const proposed = addCandidatePlays(planning, candidates, 0, commandBy(ASSISTANT, NOW));
    const play2 = proposed.plays.find((p) => p.source === 'assistant' && p.title === SEED_PLAY_2.title)!;
    const dismissed = dismissPlay(proposed, { playId: play2.id, reason: 'migration_risk: too risky' }, commandBy(JORDAN, NOW));
    expect(dismissed.plays.find((p) => p.id === play2.id)!.dismissedReason).toBe('migration_risk: too risky');
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(dismissed, cmd, () => selectPlay(dismissed, { playId: play2.id }, cmd));
    expect(error.code).toBe('precondition_failed');
    expect(error.message).toContain('was dismissed (migration_risk: too risky)');
  });
});

describe('requestApproval', () => {
  it('opens a request for the selected play with the approvers and count the policy names', () => {
    const cmd = commandBy(JORDAN, NOW);
    const requested = requestApproval(withSelectedPlay(), { note: 'PR will be reviewed' }, POLICY, cmd);
    expect(requested.state).toBe('awaiting_approval');
    expect(requested.approval).toMatchObject({ status: 'requested', required: 2, eligibleApprovers: [ADVISOR.id, SECURITY_LEAD.id] });
    expect(eventTypes(cmd)).toContain('mission_stage_transition');
  });

  it('refuses without a selected play', () => {
    const proposed = addCandidatePlays(planning, candidates, 0, commandBy(ASSISTANT, NOW));
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(proposed, cmd, () => requestApproval(proposed, {}, POLICY, cmd));
    expect(error.code).toBe('precondition_failed');
    expect(error.details.field).toBe('playId');
  });
});

describe('decideApproval', () => {
  const requested = () => requestApproval(withSelectedPlay(), {}, POLICY, commandBy(JORDAN, NOW));

  it('counts one approval, then starts execution on the second', () => {
    const first = decideApproval(requested(), { decision: 'approve' }, standingOf(requested()), commandBy(ADVISOR, NOW));
    expect(first.state).toBe('awaiting_approval');
    const cmd = commandBy(SECURITY_LEAD, NOW);
    const second = decideApproval(first, { decision: 'approve' }, standingOf(first), cmd);
    expect(second.state).toBe('executing');
    expect(second.approval!.status).toBe('approved');
    expect(second.execution!.phases.length).toBeGreaterThan(0);
  });

  it('refuses someone the policy does not name', () => {
    const mission = requested();
    const cmd = commandBy(OUTSIDER, NOW);
    const error = refusedBy(mission, cmd, () => decideApproval(mission, { decision: 'approve' }, standingOf(mission), cmd));
    expect(error.code).toBe('permission_denied');
  });

  it('refuses a second decision by the same approver', () => {
    const once = decideApproval(requested(), { decision: 'approve' }, standingOf(requested()), commandBy(ADVISOR, NOW));
    const cmd = commandBy(ADVISOR, NOW);
    const error = refusedBy(once, cmd, () => decideApproval(once, { decision: 'approve' }, standingOf(once), cmd));
    expect(error.code).toBe('already_decided');
  });

  it('refuses a decision after the request expired, and expiry returns the mission to planning', () => {
    const mission = requested();
    const late = new Date(Date.parse(mission.approval!.expiresAt) + 1);
    const cmd = commandBy(ADVISOR, late);
    expect(refusedBy(mission, cmd, () => decideApproval(mission, { decision: 'approve' }, standingOf(mission), cmd)).code).toBe('approval_expired');
    const expired = expireApproval(mission, commandBy(ADVISOR, late));
    expect(expired.state).toBe('planning');
    expect(expired.approval!.status).toBe('expired');
  });

  it('refuses when no approval was requested', () => {
    const cmd = commandBy(ADVISOR, NOW);
    const error = refusedBy(planning, cmd, () =>
      decideApproval(planning, { decision: 'approve' }, { eligible: { people: [], groups: [] }, viaGroup: null }, cmd),
    );
    expect(error.code).toBe('transition_refused');
  });
});
