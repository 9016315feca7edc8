// What each front door tells people and assistants to do next, at each point of the seed mission.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MissionService } from '../../src/domain/missionService.js';
import { nextSteps } from '../../src/domain/nextSteps.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { reportSeedPhase, SEED_PHASES, seedToApprovalRequested, seedToPlanning, seedService } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';

describe('nextSteps', () => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;

  beforeEach(async () => {
    db = await openTestDatabase('sqlite');
    clock = new TestClock();
    service = seedService(db.missions, clock);
  });
  afterEach(async () => {
    await db.destroy();
  });

  const actions = (outlook: ReturnType<typeof nextSteps>) => outlook.steps.map((s) => `${s.action}:${s.who}`);

  it('guides the brief, then toolkits, then plays', async () => {
    const drafted = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    expect(actions(nextSteps(drafted))).toEqual(['edit_brief:either', 'lock_brief:either', 'cancel:either']);
    const locked = await service.lockBrief({ missionId: drafted.id }, JORDAN);
    expect(actions(nextSteps(locked))).toEqual(['select_toolkits:either', 'reopen_brief:either', 'cancel:either']);
    const selected = await service.selectToolkits({ missionId: drafted.id, toolkits: [{ toolkitId: 'github' }] }, JORDAN);
    const low = nextSteps(selected);
    // Below the threshold: report coverage, inspect again, defer what is not needed, or a person overrides with a reason.
    expect(actions(low)).toEqual([
      'select_toolkits:either',
      'record_coverage:either',
      'inspect_toolkits:person',
      'defer_toolkit:either',
      'override_coverage:person',
      'reopen_brief:either',
      'cancel:either',
    ]);
    expect(low.steps.find((s) => s.action === 'record_coverage')!.description).toContain('coverage is 0%, 85% is needed');
    expect(low.steps.find((s) => s.action === 'defer_toolkit')!.description).toContain('(github)');
    // With everything deferred there is nothing left to defer; only the override remains besides inspection.
    const deferred = await service.deferToolkit({ missionId: drafted.id, toolkitId: 'github' }, JORDAN);
    expect(actions(nextSteps(deferred))).toEqual([
      'select_toolkits:either',
      'record_coverage:either',
      'inspect_toolkits:person',
      'override_coverage:person',
      'reopen_brief:either',
      'cancel:either',
    ]);
  });

  it('says who the mission waits for during approval, and that only people approve', async () => {
    const planning = await seedToPlanning(service, clock);
    expect(actions(nextSteps(planning))).toEqual([
      'propose_plays:either',
      'select_play:either',
      'dismiss_play:either',
      'request_approval:either',
      'cancel:either',
    ]);
    const requested = await seedToApprovalRequested(service, clock);
    const waiting = nextSteps(requested);
    // Facts, not markup: front doors render the approvers (Slack as mentions, MCP as ids).
    expect(waiting.waitingFor).toEqual({
      kind: 'approvals',
      missing: 2,
      approvers: ['U0ADVISOR', 'U0SECLEAD'],
      groups: [],
      who: 'U0ADVISOR or U0SECLEAD',
      expiresAt: requested.approval!.expiresAt,
    });
    expect(JSON.stringify(waiting)).not.toMatch(/<[@!#]|SLACK_/);
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    expect(nextSteps(await service.getMission({ missionId: requested.id })).waitingFor).toMatchObject({ kind: 'approvals', missing: 1 });
    expect(waiting.steps[0]).toMatchObject({ action: 'approve', who: 'person', people: ['U0ADVISOR', 'U0SECLEAD'] });
  });

  it('points the executor at the next phase and people at open alerts', async () => {
    const requested = await seedToApprovalRequested(service, clock);
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    const executing = await service.decideApproval({ missionId: requested.id, decision: 'approve' }, { kind: 'slack_user', id: 'U0SECLEAD' });
    expect(nextSteps(executing).steps[0]!.description).toBe('Start phase "JWT Refresh Fix" (report phase_started).');
    await reportSeedPhase(service, clock, requested.id, SEED_PHASES[0]!);
    const alerted = await service.reportProgress(
      {
        missionId: requested.id,
        kind: 'validator_alert',
        phaseId: 'jwt_refresh_fix',
        type: 'review_required',
        severity: 'medium',
        description: 'Mutex timeout needs a decision',
      },
      ASSISTANT,
    );
    const outlook = nextSteps(alerted);
    const alertId = alerted.execution!.alerts.find((a) => a.status === 'open')!.id;
    expect(outlook.waitingFor).toEqual({ kind: 'alert_reviews', alertIds: [alertId] });
    // The seed's safeguards ask for code review: a person records it.
    expect(actions(outlook)).toEqual([
      'resolve_alert:person',
      'report_progress:assistant',
      'record_review:person',
      'attach_evidence:either',
      'request_rollback:either',
    ]);
  });
});
