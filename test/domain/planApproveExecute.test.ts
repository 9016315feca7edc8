// Plan & Approve, Execute & Observe, Reflect & Improve: every refusal is a typed error that
// writes nothing, and the governance rules hold (people approve, gates hold, evidence is checked).
import { GITHUB_CONNECTOR } from '../../src/connectors/github/pullRequestEvidence.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uniformPolicy, type UniformApprovalPolicy } from '../../src/domain/approvalPolicy.js';
import { nextSteps } from '../../src/domain/nextSteps.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { MissionError } from '../../src/domain/errors.js';
import { MissionService } from '../../src/domain/missionService.js';
import type { PlayDraft } from '../../src/domain/plays.js';
import { refusal, untyped } from '../support/refusal.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import {
  OUTSIDER,
  SECURITY_LEAD,
  SEED_ARTIFACTS,
  SEED_PHASES,
  SEED_PLAY_1,
  SEED_POLICY,
  SEED_REVIEW,
  seedToApprovalRequested,
  seedToExecuting,
  seedToPlanning,
  signOffTruths,
  executeSeedPhases,
} from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

/** A copy fix on a mission about copy: nothing in its subject or steps touches a risky area. */
const COPY_INTENT = 'Fix the typo in the onboarding page heading and update the getting-started guide to match.';
const LOW_RISK_PLAY: PlayDraft = {
  ...SEED_PLAY_1,
  title: 'Fix the typo in the onboarding heading',
  phases: [
    {
      id: 'copy_fix',
      name: 'Copy fix',
      steps: [
        { id: 'correct_heading', title: 'Correct the heading text' },
        { id: 'update_guide', title: 'Update the getting-started guide' },
      ],
    },
  ],
  rationale: 'A one-word copy change.',
  undoPlan: { summary: 'Revert the commit.', steps: ['Revert the commit'] },
  codeChangePreview: null,
  risk: { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong' },
};

describe.each(PROVIDERS)('governance rules on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;

  function serviceWith(policy: UniformApprovalPolicy): MissionService {
    return new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter, approvalPolicy: policy });
  }

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock('2025-10-15T09:47:00.000Z');
    service = serviceWith(SEED_POLICY);
  });
  afterEach(async () => {
    await db.destroy();
  });

  /** Everything stored about a mission: a refusal must leave all of it as it was. */
  async function snapshot(missionId: string) {
    return {
      mission: await db.missions.get(missionId),
      events: (await db.missions.events(missionId)).length,
      artifacts: await db.missions.artifactContents(missionId),
      library: await db.missions.searchLibrary({ limit: 50 }),
    };
  }

  async function expectRefusedUnchanged(missionId: string, attempt: () => Promise<unknown>): Promise<MissionError> {
    const before = await snapshot(missionId);
    const error = await refusal(attempt());
    expect(await snapshot(missionId)).toEqual(before);
    return error;
  }

  describe('approval', () => {
    it('counts the same approver once and refuses a second decision', async () => {
      const { id } = await seedToApprovalRequested(service, clock);
      const first = await service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
      expect(first.state).toBe('awaiting_approval');
      const twice = await expectRefusedUnchanged(id, () => service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR));
      expect(twice.code).toBe('already_decided');
      expect(twice.message).toContain('You already approved this request');

      const approved = await service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);
      expect(approved.state).toBe('executing');
      const late = await expectRefusedUnchanged(id, () => service.decideApproval({ missionId: id, decision: 'reject', reason: 'too late' }, SECURITY_LEAD));
      expect(late).toMatchObject({ code: 'already_decided', details: { status: 'approved' } });
      expect(late.message).toContain('was already approved by Sam Okafor at 2025-10-15T10:09:00.000Z');
    });

    it('refuses people who are not approvers, and assistants always', async () => {
      const { id } = await seedToApprovalRequested(service, clock);
      const outsider = await expectRefusedUnchanged(id, () => service.decideApproval({ missionId: id, decision: 'approve' }, OUTSIDER));
      expect(outsider.code).toBe('permission_denied');
      expect(outsider.message).toBe('You are not an approver for this mission. Ask U0ADVISOR or U0SECLEAD.');
      const assistant = await expectRefusedUnchanged(id, () => service.decideApproval({ missionId: id, decision: 'approve' }, ASSISTANT));
      expect(assistant.code).toBe('permission_denied');
      expect(assistant.message).toContain('assistants and automation never can');

      // A front door may keep the refused attempt on the record; it decides nothing.
      const audited = await service.recordApprovalDenied({ missionId: id, reason: outsider.message }, OUTSIDER);
      expect(audited).toMatchObject({ state: 'awaiting_approval', approval: { status: 'requested', decisions: [] } });
      const denied = (await db.missions.events(id)).at(-1)!;
      expect(denied).toMatchObject({ type: 'approval_denied', actor: OUTSIDER, payload: { actor_id: OUTSIDER.id, reason: outsider.message } });
    });

    it('keeps the requester from approving their own high or critical risk mission', async () => {
      const { id } = await seedToApprovalRequested(service, clock);
      const own = await expectRefusedUnchanged(id, () => service.decideApproval({ missionId: id, decision: 'approve' }, JORDAN));
      expect(own.code).toBe('permission_denied');
      expect(own.message).toBe('You requested this critical-risk mission, so someone else must approve it: U0ADVISOR or U0SECLEAD.');
    });

    it('lets the requester approve a low-risk play when the policy asks for one approval', async () => {
      service = serviceWith({ ...SEED_POLICY, requiredApprovals: { ...SEED_POLICY.requiredApprovals, low: 1 } });
      const { id } = await seedToPlanning(service, clock, COPY_INTENT);
      const proposed = await service.proposePlays({ missionId: id, plays: [LOW_RISK_PLAY] }, ASSISTANT);
      const play = proposed.plays.find((p) => p.title === LOW_RISK_PLAY.title)!;
      expect(play.riskLevel).toBe('low');
      const requested = await service.requestApproval({ missionId: id, playId: play.id }, JORDAN);
      expect(requested.approval!.eligibleApprovers).toContain(JORDAN.id);
      expect((await service.decideApproval({ missionId: id, decision: 'approve' }, JORDAN)).state).toBe('executing');
    });

    it('approves on the record, with no person, when the policy needs no approval for the risk', async () => {
      const { id } = await seedToPlanning(service, clock, COPY_INTENT);
      const proposed = await service.proposePlays({ missionId: id, plays: [LOW_RISK_PLAY] }, ASSISTANT);
      const play = proposed.plays.find((p) => p.title === LOW_RISK_PLAY.title)!;
      const executing = await service.requestApproval({ missionId: id, playId: play.id }, ASSISTANT);
      expect(executing.state).toBe('executing');
      expect(executing.approval).toMatchObject({ status: 'approved', required: 0, decisions: [] });
      const approved = (await db.missions.events(id)).find((e) => e.type === 'plan_approved')!;
      expect(approved.payload).toMatchObject({ play_id: play.id, reviewer_ids: [], auto_approved: true });
    });

    it('holds a play that calls itself low risk at the risk its subject demands: no approval waived on an auth mission', async () => {
      const { id } = await seedToPlanning(service, clock);
      const proposed = await service.proposePlays({ missionId: id, plays: [{ ...LOW_RISK_PLAY, title: 'Quick session fix' }] }, ASSISTANT);
      const play = proposed.plays.find((p) => p.title === 'Quick session fix')!;
      expect(play.riskLevel).toBe('high');
      const requested = await service.requestApproval({ missionId: id, playId: play.id }, ASSISTANT);
      expect(requested.state).toBe('awaiting_approval');
      expect(requested.approval).toMatchObject({ riskLevel: 'high', required: SEED_POLICY.requiredApprovals.high, status: 'requested' });
      expect(requested.approval!.eligibleApprovers).not.toContain(JORDAN.id);
    });

    it('asks even when nobody can approve yet, and whoever is named afterwards can decide', async () => {
      let policy: UniformApprovalPolicy = { ...SEED_POLICY, approvers: [JORDAN.id] };
      service = new MissionService({
        repository: db.missions,
        clock,
        ids: sequentialIds(),
        drafter: deterministicBriefDrafter,
        approvalPolicies: { current: async () => uniformPolicy(policy) },
      });
      const planning = await seedToPlanning(service, clock);
      const play = (await service.proposePlays({ missionId: planning.id, plays: [SEED_PLAY_1] }, ASSISTANT)).plays.find((p) => p.source === 'assistant')!;
      const waiting = await service.requestApproval({ missionId: planning.id, playId: play.id }, JORDAN);
      expect(waiting.state).toBe('awaiting_approval');
      expect(waiting.approval).toMatchObject({ required: 2, eligibleApprovers: [], eligibleGroups: [] });
      expect(nextSteps(waiting).waitingFor).toMatchObject({ kind: 'approvals', missing: 2 });
      expect((nextSteps(waiting).waitingFor as { who: string }).who).toContain(
        'an approver, but none is configured for critical risk: an admin names them with `mission-control approvers add --risk critical <Slack user id U… or user group id S…>`',
      );
      const early = await expectRefusedUnchanged(planning.id, () => service.decideApproval({ missionId: planning.id, decision: 'approve' }, ADVISOR));
      expect(early.message).toContain('Nobody can approve critical-risk plays yet: an admin names them with `mission-control approvers add --risk critical');

      // One person named for two approvals: the request says more are needed, and the second one named later completes it.
      policy = { ...policy, approvers: [JORDAN.id, ADVISOR.id] };
      const half = await service.decideApproval({ missionId: planning.id, decision: 'approve' }, ADVISOR);
      expect(nextSteps(half).waitingFor).toMatchObject({ kind: 'approvals', missing: 1 });
      expect((nextSteps(half).waitingFor as { who: string }).who).toContain(
        'U0ADVISOR; only 0 named approvers can still approve, so an admin names more with `mission-control approvers add --risk critical',
      );
      policy = { ...policy, approvers: [JORDAN.id, ADVISOR.id, SECURITY_LEAD.id] };
      expect((await service.decideApproval({ missionId: planning.id, decision: 'approve' }, SECURITY_LEAD)).state).toBe('executing');
    });

    it('returns a rejected play to selection with the reason, and a click on the old request is stale', async () => {
      const requested = await seedToApprovalRequested(service, clock);
      const id = requested.id;
      const noReason = await expectRefusedUnchanged(id, () => service.decideApproval({ missionId: id, decision: 'reject' }, ADVISOR));
      expect(noReason).toMatchObject({ code: 'invalid_input', details: { field: 'reason' } });

      const rejected = await service.decideApproval({ missionId: id, decision: 'reject', reason: 'Split the CSRF work into its own mission' }, ADVISOR);
      expect(rejected.state).toBe('planning');
      expect(rejected.approval).toMatchObject({
        status: 'rejected',
        decisions: [{ approverId: ADVISOR.id, decision: 'rejected', reason: 'Split the CSRF work into its own mission' }],
      });
      expect(rejected.plays.find((p) => p.id === requested.approval!.playId)!.status).toBe('proposed');
      const event = (await db.missions.events(id)).find((e) => e.type === 'approval_rejected')!;
      expect(event.payload).toMatchObject({ approver_id: ADVISOR.id, reason: 'Split the CSRF work into its own mission' });

      await service.selectPlay({ missionId: id, playId: requested.approval!.playId }, JORDAN);
      const again = await service.requestApproval({ missionId: id }, JORDAN);
      expect(again.approvalHistory.map((r) => r.status)).toEqual(['rejected']);
      const stale = await expectRefusedUnchanged(id, () =>
        service.decideApproval({ missionId: id, decision: 'approve', requestId: requested.approval!.id }, SECURITY_LEAD),
      );
      expect(stale.code).toBe('already_decided');
      expect(stale.message).toContain('That approval request was already rejected by Trusted Advisor');
    });

    it('expires an open request: a late click is refused, and the sweep returns the mission to planning', async () => {
      const { id } = await seedToApprovalRequested(service, clock);
      clock.advance(SEED_POLICY.expiresAfterMinutes * 60_000 + 1);
      const late = await expectRefusedUnchanged(id, () => service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR));
      expect(late.code).toBe('approval_expired');
      expect(await service.expireOverdueApprovals()).toBe(1);
      const expired = await service.getMission({ missionId: id });
      expect(expired.state).toBe('planning');
      expect(expired.approval!.status).toBe('expired');
      expect(await service.expireOverdueApprovals()).toBe(0);
    });
  });

  describe('execution', () => {
    it('refuses reports before approval, saying who can unblock the mission', async () => {
      const { id } = await seedToApprovalRequested(service, clock);
      const early = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'refactor_jwt_ts', durationMs: 1000 }, ASSISTANT),
      );
      expect(early.code).toBe('transition_refused');
      expect(early.message).toBe(
        "Cannot report a step: the play is waiting for approval: 2 more approvals from U0ADVISOR or U0SECLEAD (only a person can approve; ask in the mission's Slack thread).",
      );
      expect(early.details).toMatchObject({ state: 'awaiting_approval', waitingFor: [ADVISOR.id, SECURITY_LEAD.id] });
    });

    it('refuses to complete a phase whose tests fail, and a last phase under the coverage target', async () => {
      const { id } = await seedToExecuting(service, clock);
      await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
      const untested = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'jwt_refresh_fix' }, ASSISTANT),
      );
      expect(untested.message).toContain('No test run was reported for phase "JWT Refresh Fix"');
      await service.reportProgress({ missionId: id, kind: 'test_run', phaseId: 'jwt_refresh_fix', total: 139, passing: 137, coverage: 0.87 }, ASSISTANT);
      const failing = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'jwt_refresh_fix' }, ASSISTANT),
      );
      expect(failing.code).toBe('gate_failed');
      expect(failing.message).toBe(
        'Phase "JWT Refresh Fix" cannot complete: its quality gate failed. All tests passing: 2 of 139 tests failing in the latest run. Fix them and report a new run.',
      );

      for (const phase of SEED_PHASES.slice(0, 4)) {
        if (phase.phaseId !== 'jwt_refresh_fix') await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: phase.phaseId }, ASSISTANT);
        await service.reportProgress({ missionId: id, kind: 'test_run', phaseId: phase.phaseId, total: 150, passing: 150, coverage: 0.85 }, ASSISTANT);
        await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
      }
      await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'testing_deployment' }, ASSISTANT);
      await service.reportProgress({ missionId: id, kind: 'test_run', phaseId: 'testing_deployment', total: 150, passing: 150, coverage: 0.86 }, ASSISTANT);
      const coverage = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'testing_deployment' }, ASSISTANT),
      );
      expect(coverage.message).toContain("Coverage ≥ 90%: 86% measured, below the 90% target in the brief's KPIs.");
    });

    it('refuses to complete the mission while a phase is unfinished or review evidence comes only from the assistant', async () => {
      const { id } = await seedToExecuting(service, clock);
      const unfinished = await expectRefusedUnchanged(id, () => service.completeMission({ missionId: id }, ASSISTANT));
      expect(unfinished.code).toBe('gate_failed');
      expect(unfinished.message).toContain('All phases completed: not completed: JWT Refresh Fix (pending)');
      await executeSeedPhases(service, clock, id);
      await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, ASSISTANT);
      const selfReviewed = await expectRefusedUnchanged(id, () => service.completeMission({ missionId: id }, ASSISTANT));
      expect(selfReviewed.message).toContain(
        'A review was attached by an assistant; the brief requires a review recorded by a person or the GitHub connector.',
      );
    });

    it('counts only the latest check results of a pull request', async () => {
      const { id } = await seedToExecuting(service, clock);
      await executeSeedPhases(service, clock, id);
      await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
      const pr = SEED_ARTIFACTS[0]!;
      await service.attachEvidence({ missionId: id, ...pr, checks: [{ name: 'ci / test', conclusion: 'pending' }] }, GITHUB_CONNECTOR);
      const pending = await expectRefusedUnchanged(id, () => service.completeMission({ missionId: id }, ASSISTANT));
      expect(pending.message).toContain('CI checks passing: not passing: ci / test (pending)');
      await service.attachEvidence({ missionId: id, ...pr, checks: [{ name: 'ci / test', conclusion: 'success' }] }, GITHUB_CONNECTOR);
      await signOffTruths(service, id);
      const completed = await service.completeMission({ missionId: id }, ASSISTANT);
      expect(completed.execution!.finalGate!.checks.find((c) => c.id === 'ci_checks')).toMatchObject({
        passed: true,
        detail: '1 check passing, as GitHub reported',
      });
    });

    it('never counts checks an assistant attached itself: a failing GitHub check holds the gate although the assistant reports it passing', async () => {
      const { id } = await seedToExecuting(service, clock);
      await executeSeedPhases(service, clock, id);
      await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
      const pr = SEED_ARTIFACTS[0]!;
      await service.attachEvidence({ missionId: id, ...pr, checks: [{ name: 'ci / test', conclusion: 'failure' }] }, GITHUB_CONNECTOR);
      await service.attachEvidence({ missionId: id, ...pr, checks: [{ name: 'ci / test', conclusion: 'success' }] }, ASSISTANT);
      const refused = await expectRefusedUnchanged(id, () => service.completeMission({ missionId: id }, ASSISTANT));
      expect(refused.message).toContain('CI checks passing: not passing: ci / test (failure)');
      expect(refused.message).toContain('Reported by the assistant, not counted: 1 check on GitHub Pull Request #47.');
    });

    it('detects evidence changed after it was attached and refuses to seal it', async () => {
      const { id } = await seedToExecuting(service, clock);
      await executeSeedPhases(service, clock, id);
      const { artifact } = await service.attachEvidence({ missionId: id, ...SEED_ARTIFACTS[1]! }, ASSISTANT);
      await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
      expect(await service.verifyEvidence({ missionId: id })).toMatchObject({ ok: true, artifactCount: 2 });

      await db.prisma.missionArtifact.update({ where: { id: artifact.id }, data: { content: '# Code change summary\n\nFiles modified: 2\n' } });
      const tampered = await expectRefusedUnchanged(id, () => service.completeMission({ missionId: id }, ASSISTANT));
      expect(tampered.code).toBe('evidence_tampered');
      expect(tampered.message).toContain('artifact "Code Change Summary" changed after it was attached');
      expect(await service.verifyEvidence({ missionId: id })).toEqual({
        ok: false,
        problems: [{ artifactId: artifact.id, problem: 'artifact "Code Change Summary" changed after it was attached' }],
      });
    });

    it('requires a deviation for a step outside the play; rule 4 stops for a person', async () => {
      const { id } = await seedToExecuting(service, clock);
      await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
      const unplanned = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'switch_to_paseto', durationMs: 5000 }, ASSISTANT),
      );
      expect(unplanned).toMatchObject({ code: 'invalid_input', details: { field: 'stepId' } });
      expect(unplanned.message).toContain('"switch_to_paseto" is not a step of phase "JWT Refresh Fix" in the approved play');

      const drifted = await service.reportProgress(
        {
          missionId: id,
          kind: 'step_completed',
          phaseId: 'jwt_refresh_fix',
          stepId: 'switch_to_paseto',
          title: 'Switch tokens to PASETO',
          durationMs: 5000,
          deviation: { rule: 4, reason: 'JWT library is unmaintained' },
        },
        ASSISTANT,
      );
      expect(drifted.execution!.deviations).toEqual([
        expect.objectContaining({ rule: 4, description: 'Switch tokens to PASETO', reason: 'JWT library is unmaintained', stepId: 'switch_to_paseto' }),
      ]);
      const alert = drifted.execution!.alerts[0]!;
      expect(alert).toMatchObject({ type: 'review_required', status: 'open', severity: 'high' });
      await service.reportProgress({ missionId: id, kind: 'test_run', phaseId: 'jwt_refresh_fix', total: 10, passing: 10, coverage: 0.95 }, ASSISTANT);
      const held = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'jwt_refresh_fix' }, ASSISTANT),
      );
      expect(held.message).toContain('waiting for a person to resolve: Architectural change outside the approved play');

      const byAssistant = await expectRefusedUnchanged(id, () =>
        service.resolveAlert({ missionId: id, alertId: alert.id, outcome: 'accepted', note: 'fine' }, ASSISTANT),
      );
      expect(byAssistant.code).toBe('permission_denied');
      const blocked = await service.resolveAlert({ missionId: id, alertId: alert.id, outcome: 'blocked', note: 'Not in this mission' }, JORDAN);
      expect(blocked.execution!.phases[0]).toMatchObject({ status: 'failed', failureReason: 'Blocked by U0JORDAN: Not in this mission' });
      expect((await db.missions.events(id)).at(-1)!.type).toBe('execution_paused');
    });

    it('rolls back with the undo plan, recording which steps ran and which a person must do', async () => {
      const { id } = await seedToExecuting(service, clock);
      const rolledBack = await service.requestRollback(
        {
          missionId: id,
          reason: 'Preview shows logouts got worse',
          stepsRun: [{ step: 'Close PR and delete branch', outcome: 'done', detail: 'PR #47 closed' }],
        },
        JORDAN,
      );
      expect(rolledBack.state).toBe('rolled_back');
      expect(rolledBack.execution!.undo).toMatchObject({ status: 'executed', requestedBy: JORDAN, reason: 'Preview shows logouts got worse' });
      expect(rolledBack.execution!.undo.stepsRun.map((s) => [s.step, s.outcome])).toEqual([
        ['Close PR and delete branch', 'done'],
        ['Disable feature flags', 'manual'],
        ['Revert migrations if schema changed', 'manual'],
        ['Rollback Vercel deployment to previous version', 'manual'],
      ]);
      expect((await db.missions.events(id)).slice(-3).map((e) => e.type)).toEqual(['undo_requested', 'undo_completed', 'mission_stage_transition']);
      const after = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT),
      );
      expect(after.message).toContain('execution is over (the mission is rolled_back)');
    });

    it('rejects malformed reports by field', async () => {
      const { id } = await seedToExecuting(service, clock);
      await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
      const percent = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'test_run', phaseId: 'jwt_refresh_fix', total: 10, passing: 10, coverage: 92 }, ASSISTANT),
      );
      expect(percent).toMatchObject({ code: 'invalid_input', details: { field: 'coverage' } });
      expect(percent.message).toContain('coverage is a fraction from 0 to 1 (0.92 for 92%)');
      const kind = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: untyped('phase_paused'), phaseId: 'jwt_refresh_fix' }, ASSISTANT),
      );
      expect(kind.message).toContain('kind must be one of: phase_started');
      const phase = await expectRefusedUnchanged(id, () => service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'nope' }, ASSISTANT));
      expect(phase.message).toContain('the approved play has no phase "nope"');
      const order = await expectRefusedUnchanged(id, () =>
        service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'csrf_protection' }, ASSISTANT),
      );
      expect(order.message).toContain('complete "JWT Refresh Fix", "Token Revocation" before starting "CSRF Protection"');
      const evidence = await expectRefusedUnchanged(id, () => service.attachEvidence({ missionId: id, name: 'PR', kind: 'link' }, ASSISTANT));
      expect(evidence).toMatchObject({ code: 'invalid_input', details: { field: 'url' } });
    });
  });

  describe('reflection', () => {
    it('keeps plays rated below 4 out of the library, and feedback and pins to people', async () => {
      const { id } = await seedToExecuting(service, clock);
      await executeSeedPhases(service, clock, id);
      await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
      await signOffTruths(service, id);
      await service.completeMission({ missionId: id }, ASSISTANT);
      const noFeedback = await expectRefusedUnchanged(id, () => service.pinToLibrary({ missionId: id, tags: ['auth'], note: 'n' }, JORDAN));
      expect(noFeedback.message).toContain('Give feedback first');
      const assistantFeedback = await expectRefusedUnchanged(id, () => service.submitFeedback({ missionId: id, rating: 5 }, ASSISTANT));
      expect(assistantFeedback.code).toBe('permission_denied');
      const outOfRange = await expectRefusedUnchanged(id, () => service.submitFeedback({ missionId: id, rating: 6 }, JORDAN));
      expect(outOfRange).toMatchObject({ code: 'invalid_input', details: { field: 'rating' } });
      await service.submitFeedback({ missionId: id, rating: 3, comments: 'Too many manual steps' }, JORDAN);
      const lowRated = await expectRefusedUnchanged(id, () => service.pinToLibrary({ missionId: id, tags: ['auth'], note: 'n' }, JORDAN));
      expect(lowRated.message).toBe('This mission was rated 3/5; the library takes plays rated 4 or more.');
    });
  });
});

describe.each(PROVIDERS)('concurrent decisions on %s', (provider) => {
  const approvers = Array.from({ length: 20 }, (_, i) => ({ kind: 'slack_user' as const, id: `U0APPR${String(i).padStart(2, '0')}`, name: `Approver ${i}` }));
  const policy: UniformApprovalPolicy = {
    approvers: approvers.map((a) => a.id),
    requiredApprovals: { low: 1, medium: 1, high: 1, critical: 1 },
    requesterExcludedAt: ['high', 'critical'],
    expiresAfterMinutes: 60,
  };
  let db: TestDatabase;
  let others: Array<Awaited<ReturnType<typeof import('../../src/storage/database.js').openDatabase>>>;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    const { openDatabase } = await import('../../src/storage/database.js');
    // On PostgreSQL, separate connections as separate instances would have: the database decides
    // the race. SQLite is the single-process store, so its instances share one connection and
    // race on the version check alone.
    others = provider === 'postgresql' ? await Promise.all([1, 2, 3].map(() => openDatabase(db.url))) : [];
  });
  afterEach(async () => {
    await Promise.all(others.map((o) => o.close()));
    await db.destroy();
  });

  function instances(clock: TestClock, approvalPolicy = policy): MissionService[] {
    const connections = [db, ...others];
    return [0, 1, 2, 3].map(
      (i) =>
        new MissionService({
          repository: connections[i % connections.length]!.missions,
          clock,
          ids: prefixedIds(`i${i}`),
          drafter: deterministicBriefDrafter,
          approvalPolicy,
        }),
    );
  }

  it('20 approve and reject calls at once leave exactly one decision', async () => {
    const clock = new TestClock();
    const services = instances(clock);
    const requested = await seedToApprovalRequested(services[0]!, clock);
    const results = await Promise.allSettled(
      approvers.map((approver, i) =>
        services[i % services.length]!.decideApproval(
          i % 2 === 0
            ? { missionId: requested.id, decision: 'approve' }
            : { missionId: requested.id, decision: 'reject', reason: `Reject from ${approver.id}` },
          approver,
        ),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as MissionError).code)).toEqual(Array(19).fill('already_decided'));

    const mission = await services[0]!.getMission({ missionId: requested.id });
    expect(mission.approval!.decisions).toHaveLength(1);
    expect(mission.state).toBe(mission.approval!.decisions[0]!.decision === 'approved' ? 'executing' : 'planning');
    const events = await db.missions.events(requested.id);
    expect(events.filter((e) => e.type === 'approval_granted' || e.type === 'approval_rejected')).toHaveLength(1);
    expect(await services[0]!.verifyEventLog({ missionId: requested.id })).toMatchObject({ ok: true });
  });

  it('one person approving twice at once counts once', async () => {
    const clock = new TestClock();
    const twoNeeded = instances(clock, { ...policy, requiredApprovals: { low: 2, medium: 2, high: 2, critical: 2 } });
    const requested = await seedToApprovalRequested(twoNeeded[0]!, clock);
    const results = await Promise.allSettled(twoNeeded.map((s) => s.decideApproval({ missionId: requested.id, decision: 'approve' }, approvers[0]!)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const mission = await twoNeeded[0]!.getMission({ missionId: requested.id });
    expect(mission.state).toBe('awaiting_approval');
    expect(mission.approval!.decisions.map((d) => d.approverId)).toEqual([approvers[0]!.id]);
  });
});

/** Ids that cannot collide across the simulated instances. */
function prefixedIds(prefix: string) {
  let n = 0;
  return { next: (kind: string) => `${kind}_${prefix}_${String(++n).padStart(4, '0')}` };
}
