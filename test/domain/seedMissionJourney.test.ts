// Seed 000 from intent to retrospective, through the service API only.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MissionService } from '../../src/domain/missionService.js';
import { refusal } from '../support/refusal.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import {
  reportSeedPhase,
  SEED_ARTIFACTS,
  SEED_PHASES,
  SEED_PLAY_1,
  SEED_REVIEW,
  seedToExecuting,
  SECURITY_LEAD,
  signOffTruths,
  executeSeedPhases,
  executeSeedPhasesOneAndTwo,
  seedService,
} from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'seedMission');
const CONNECTOR = { kind: 'system' as const, id: 'linear-connector' };

describe.each(PROVIDERS)('the seed 000 mission on %s', (provider) => {
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

  it('runs from intent to retrospective with gates, evidence and exports', async () => {
    // Define, Prepare, Plan & Approve.
    const executing = await seedToExecuting(service, clock);
    const id = executing.id;
    expect(executing.state).toBe('executing');
    const play = executing.plays.find((p) => p.status === 'approved')!;
    expect(play).toMatchObject({ title: SEED_PLAY_1.title, source: 'assistant', riskLevel: 'critical', proposedBy: ASSISTANT });
    const dismissed = executing.plays.filter((p) => p.status === 'dismissed');
    expect(Object.fromEntries(dismissed.map((p) => [p.title, p.dismissedReason]))).toEqual({
      'Complete Auth Rewrite with Next-Auth.js Migration': 'migration_risk: too risky for a 72-hour deadline',
      'Hot-Patch JWT Race Condition Only': 'incomplete_fix: wants a comprehensive fix, not a band-aid',
    });
    // Dismissed plays rank last, whatever their score.
    expect(dismissed.every((p) => p.rank > executing.plays.length - dismissed.length)).toBe(true);
    expect(executing.approval).toMatchObject({ status: 'approved', required: 2, eligibleApprovers: [ADVISOR.id, SECURITY_LEAD.id] });
    expect(executing.approval!.decisions.map((d) => d.approverId)).toEqual([ADVISOR.id, SECURITY_LEAD.id]);

    // Execute & Observe: phases 1 and 2 with the validator's auto-fixes and one planned-drift step.
    await executeSeedPhasesOneAndTwo(service, clock, id);

    // Phase 3: the webhook exemption needs a person; the gate holds the phase until Jordan resolves it.
    await reportSeedPhase(service, clock, id, SEED_PHASES[2]!);
    const alerted = await service.reportProgress(
      {
        missionId: id,
        kind: 'validator_alert',
        phaseId: 'csrf_protection',
        type: 'review_required',
        severity: 'medium',
        description: '/api/webhooks/stripe should be exempt from CSRF (webhook endpoint)',
      },
      ASSISTANT,
    );
    const held = await refusal(service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'csrf_protection' }, ASSISTANT));
    expect(held.code).toBe('gate_failed');
    expect(held.message).toContain('/api/webhooks/stripe should be exempt from CSRF');
    const alertId = alerted.execution!.alerts.find((a) => a.type === 'review_required')!.id;
    await service.resolveAlert({ missionId: id, alertId, outcome: 'accepted', note: 'Confirmed: webhooks are exempt; comment added in code' }, JORDAN);
    await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'csrf_protection' }, ASSISTANT);
    await reportSeedPhase(service, clock, id, SEED_PHASES[3]!);
    await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'error_handling_centralization' }, ASSISTANT);

    // Phase 5 and the evidence gallery.
    await reportSeedPhase(service, clock, id, SEED_PHASES[4]!);
    const hashes: Array<{ id: string; name: string; sha256: string }> = [];
    for (const artifact of SEED_ARTIFACTS) {
      const { artifact: stored } = await service.attachEvidence({ missionId: id, phaseId: 'testing_deployment', ...artifact }, ASSISTANT);
      const content = artifact.json !== undefined ? canonical(artifact.json) : (artifact.content ?? artifact.url ?? '');
      expect(stored.sha256).toBe(sha256(content));
      hashes.push({ id: stored.id, name: stored.name, sha256: stored.sha256 });
    }
    await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'testing_deployment' }, ASSISTANT);

    // The brief requires code review: completion waits for a review a person vouches for.
    const noReview = await refusal(service.completeMission({ missionId: id }, ASSISTANT));
    expect(noReview.code).toBe('gate_failed');
    expect(noReview.message).toContain('Code review approved');
    const { artifact: review } = await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
    hashes.push({ id: review.id, name: review.name, sha256: sha256(SEED_REVIEW.url) });
    clock.advance(6 * 60_000);
    await signOffTruths(service, id);
    const completed = await service.completeMission({ missionId: id }, ASSISTANT);
    expect(completed.state).toBe('reflecting');
    expect(completed.execution!.undo.status).toBe('expired');

    // Gate decisions: every phase passed its gate; coverage was checked on the last phase and at completion.
    expect(completed.execution!.phases.map((p) => [p.phaseId, p.gate!.passed, p.gate!.checks.map((c) => c.id)])).toEqual([
      ['jwt_refresh_fix', true, ['tests_passing', 'no_open_review_alerts']],
      ['token_revocation', true, ['tests_passing', 'no_open_review_alerts']],
      ['csrf_protection', true, ['tests_passing', 'no_open_review_alerts']],
      ['error_handling_centralization', true, ['tests_passing', 'no_open_review_alerts']],
      ['testing_deployment', true, ['tests_passing', 'coverage_target', 'no_open_review_alerts']],
    ]);
    expect(completed.execution!.finalGate!.checks.map((c) => [c.id, c.passed, c.detail])).toEqual([
      ['all_phases_completed', true, '5 of 5 completed'],
      ['tests_passing', true, '172/172 passing'],
      ['coverage_target', true, '92% measured'],
      ['no_open_review_alerts', true, 'none open'],
      ['code_review', true, 'approved by advisor_001 (PR #47 review by advisor_001)'],
      // The PR's checks were attached by the assistant: kept as evidence, never counted (the seed's brief does not ask for CI).
    ]);

    // The bundle hash covers every artifact: sha256 of the sorted (id, name, sha256) list.
    const entries = [...hashes].sort((a, b) => a.id.localeCompare(b.id));
    const expectedBundle = sha256(JSON.stringify(entries.map((e) => ({ id: e.id, name: e.name, sha256: e.sha256 }))));
    expect(completed.evidence.bundle).toMatchObject({ artifactCount: 8, manifestSha256: expectedBundle });
    expect(await service.verifyEvidence({ missionId: id })).toEqual({ ok: true, artifactCount: 8, manifestSha256: expectedBundle });

    // Reflect & Improve.
    await service.submitFeedback(
      {
        missionId: id,
        rating: 5,
        effortSavedHours: 14,
        comments: 'The phased approach gave me confidence at each step.',
        suggestedImprovements: 'Deeper Linear integration.',
      },
      JORDAN,
    );
    const withFollowUps = await service.addFollowUp({ missionId: id, title: 'Add rate limiting to login endpoint', priority: 'medium' }, JORDAN);
    await service.addFollowUp({ missionId: id, title: 'Document revocation cleanup job in README', priority: 'low' }, ASSISTANT);
    const [first] = withFollowUps.reflection.followUps;
    expect(first).toMatchObject({ tracker: 'linear', status: 'open', externalId: null });
    await service.recordFollowUpIssue(
      { missionId: id, followUpId: first!.id, externalId: 'ENG-124', url: 'https://linear.app/acme/issue/ENG-124', tracker: 'linear' },
      CONNECTOR,
    );
    await service.pinToLibrary(
      {
        missionId: id,
        tags: ['authentication', 'security', 'jwt-refresh', 'csrf-protection', 'nextjs', 'supabase', 'production-ready'],
        note: 'Comprehensive auth refactor for Next.js + Supabase apps.',
      },
      JORDAN,
    );
    clock.advance(5 * 60_000);
    const done = await service.submitRetrospective(
      { missionId: id, wentWell: ['Validator caught the DB index and webhook exemption'], toImprove: ['Deeper Linear integration'] },
      JORDAN,
    );
    expect(done.state).toBe('done');
    expect(done.reflection.retrospective!.metrics).toMatchObject({
      phasesPlanned: 5,
      phasesCompleted: 5,
      stepsCompleted: 25,
      testsAdded: 45,
      testsBefore: 127,
      testsAfter: 172,
      coverageBefore: 0.82,
      coverageAfter: 0.92,
      gatesPassed: 6,
      gatesEvaluated: 6,
      autoFixes: 2,
      reviewAlerts: 1,
      deviations: 1,
      followUps: 2,
      artifacts: 8,
    });

    // The event log, in order, and intact.
    const events = await service.events({ missionId: id });
    expect(events.map((e) => e.type)).toEqual(expectedSequence(executing.plays.filter((p) => p.source === 'default_planner').length));
    expect(await service.verifyEventLog({ missionId: id })).toMatchObject({ ok: true, eventCount: events.length });
    const actorsOf = (type: string) => events.filter((e) => e.type === type).map((e) => e.actor.id);
    expect(actorsOf('approval_granted')).toEqual([ADVISOR.id, SECURITY_LEAD.id]);
    expect(actorsOf('validator_alert_resolved')).toEqual([JORDAN.id]);
    expect(actorsOf('follow_up_issue_created')).toEqual([CONNECTOR.id]);
    expect(events.find((e) => e.type === 'evidence_bundle_generated')!.payload).toEqual({ mission_id: id, artifact_count: 8, total_hash: expectedBundle });

    // The three exports, against fixtures read by a person.
    for (const [document, file] of [
      ['plan', 'PLAN.md'],
      ['summary', 'SUMMARY.md'],
      ['verification', 'VERIFICATION.md'],
    ] as const) {
      const exported = await service.exportDocument({ missionId: id, document });
      expect(exported.name).toBe(file);
      // UPDATE_EXPORT_FIXTURES=1 rewrites them; review the diff.
      if (process.env.UPDATE_EXPORT_FIXTURES) writeFileSync(path.join(fixtures, file), exported.markdown);
      expect(exported.markdown).toBe(readFileSync(path.join(fixtures, file), 'utf8'));
    }
  });

  it('offers the pinned play to a later mission with matching tags, as precedent', async () => {
    await playWholeSeedMission();
    const later = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.lockBrief({ missionId: later.id }, JORDAN);
    await service.selectToolkits({ missionId: later.id, toolkits: [{ toolkitId: 'github' }] }, JORDAN);
    await service.recordCoverage({ missionId: later.id, toolkitId: 'github', status: 'ready', summary: 'inspected' }, ASSISTANT);
    await service.acceptReportedCoverage({ missionId: later.id }, JORDAN);
    const planning = await service.confirmToolkits({ missionId: later.id }, JORDAN);
    const fromLibrary = planning.plays.find((p) => p.source === 'library');
    expect(fromLibrary).toMatchObject({ title: SEED_PLAY_1.title, libraryMatchCount: 1 });
    expect(fromLibrary!.rationale).toContain('rated 5/5');
    expect(planning.plays.every((p) => p.libraryMatchCount === 1)).toBe(true);
    const found = await service.searchLibrary({ tags: ['csrf-protection'] });
    expect(found.map((m) => [m.entry.title, m.matchedTags])).toEqual([[SEED_PLAY_1.title, ['csrf-protection']]]);
    expect(await service.searchLibrary({ tags: ['kubernetes'] })).toEqual([]);
  });

  async function playWholeSeedMission(): Promise<string> {
    const executing = await seedToExecuting(service, clock);
    const id = executing.id;
    await executeSeedPhases(service, clock, id);
    await service.attachEvidence({ missionId: id, ...SEED_ARTIFACTS[0]! }, ASSISTANT);
    await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
    await signOffTruths(service, id);
    await service.completeMission({ missionId: id }, ASSISTANT);
    await service.submitFeedback({ missionId: id, rating: 5 }, JORDAN);
    await service.pinToLibrary({ missionId: id, tags: ['authentication', 'security', 'csrf-protection'], note: 'Auth refactor' }, JORDAN);
    await service.submitRetrospective({ missionId: id }, JORDAN);
    return id;
  }
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys, as evidence hashes it. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

function expectedSequence(plannerCandidates: number): string[] {
  const phase = (index: number, extra: { afterTests?: string[]; beforeComplete?: string[] } = {}) => [
    'execution_phase_started',
    ...SEED_PHASES[index]!.steps.map(() => 'execution_step_completed'),
    'test_suite_run',
    ...(extra.afterTests ?? []),
    ...(extra.beforeComplete ?? []),
    'execution_phase_completed',
  ];
  return [
    // Define
    'intent_submitted',
    'brief_generated',
    'chip_modified',
    'chip_modified',
    'mission_brief_locked',
    'mission_stage_transition',
    // Prepare
    'toolkit_recommended',
    'toolkit_recommended',
    'toolkit_recommended',
    'toolkit_selected',
    'toolkit_selected',
    // The assistant reports both toolkits ready (shown, not counted); Jordan accepts the reports.
    'data_preview_generated',
    'data_preview_generated',
    'readiness_status_changed',
    'readiness_status_changed',
    'reported_coverage_accepted',
    'mission_stage_transition',
    // Plan: the built-in planner's candidates, then the assistant's three
    ...Array.from({ length: plannerCandidates }, () => 'planner_candidate_generated'),
    'plan_ranked',
    'planner_candidate_generated',
    'planner_candidate_generated',
    'planner_candidate_generated',
    'plan_ranked',
    'play_dismissed',
    'play_dismissed',
    'plan_selected',
    // Approve: two people, since the play is critical risk
    'approval_requested',
    'mission_stage_transition',
    'approval_granted',
    'approval_granted',
    'plan_approved',
    'mission_stage_transition',
    // Execute
    'execution_started',
    'undo_available',
    ...phase(0, { afterTests: ['validator_alert_raised', 'execution_step_completed', 'deviation_recorded'] }),
    ...phase(1, { afterTests: ['validator_alert_raised'] }),
    ...phase(2, { afterTests: ['validator_alert_raised', 'validator_alert_resolved'] }),
    ...phase(3),
    ...phase(4, { afterTests: SEED_ARTIFACTS.map(() => 'evidence_attached') }),
    'evidence_attached',
    // Jordan signs off the play's three truths in UAT.
    'uat_result_recorded',
    'uat_result_recorded',
    'uat_result_recorded',
    'evidence_bundle_generated',
    'mission_completed',
    'mission_stage_transition',
    // Reflect
    'feedback_submitted',
    'followup_scheduled',
    'followup_scheduled',
    'follow_up_issue_created',
    'library_contribution',
    'mission_retrospective_logged',
    'mission_stage_transition',
  ];
}
