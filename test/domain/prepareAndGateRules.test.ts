// The rules behind Slack's Defer, Override coverage, Approve review / Request changes and
// Override gate: who may, in which state, and that every refusal writes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MissionService } from '../../src/domain/missionService.js';
import { refusal, untyped } from '../support/refusal.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { OUTSIDER, reportSeedPhase, SEED_PHASES, seedToExecuting, signOffTruths, executeSeedPhases, seedService } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';

describe.each(PROVIDERS)('Prepare and gate rules on %s', (provider) => {
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

  const stored = async (missionId: string) => ({ mission: await db.missions.get(missionId), events: (await db.missions.events(missionId)).length });

  async function preparing() {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    return service.selectToolkits({ missionId: mission.id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'slack' }] }, JORDAN);
  }

  it('defers a toolkit once (a second defer changes nothing) and only while preparing', async () => {
    const mission = await preparing();
    await service.recordCoverage({ missionId: mission.id, toolkitId: 'slack', status: 'ready', summary: 'auth.test answered' }, ASSISTANT);
    await service.acceptReportedCoverage({ missionId: mission.id }, JORDAN);
    const deferred = await service.deferToolkit({ missionId: mission.id, toolkitId: 'github' }, ASSISTANT);
    expect(deferred.toolkits.find((t) => t.toolkitId === 'github')).toMatchObject({ selected: true, authStatus: 'deferred' });
    const again = await service.deferToolkit({ missionId: mission.id, toolkitId: 'github' }, JORDAN);
    expect(again.version).toBe(deferred.version);
    const planning = await service.confirmToolkits({ missionId: mission.id }, JORDAN);
    const before = await stored(mission.id);
    expect(await refusal(service.deferToolkit({ missionId: mission.id, toolkitId: 'linear' }, JORDAN))).toMatchObject({
      code: 'transition_refused',
      message: expect.stringContaining('only possible while it is preparing'),
    });
    expect(await refusal(service.deferToolkit({ missionId: planning.id, toolkitId: 'jira' }, JORDAN))).toMatchObject({
      code: 'invalid_input',
      details: { field: 'toolkitId' },
    });
    expect(await stored(mission.id)).toEqual(before);
  });

  it('refuses a coverage override from an assistant or without a reason, and writes nothing', async () => {
    const mission = await preparing();
    const before = await stored(mission.id);
    expect(await refusal(service.overrideCoverage({ missionId: mission.id, reason: 'The assistant is sure' }, ASSISTANT))).toMatchObject({
      code: 'permission_denied',
      message: expect.stringContaining('Only a person'),
    });
    expect(await refusal(service.overrideCoverage({ missionId: mission.id, reason: ' ' }, JORDAN))).toMatchObject({
      code: 'invalid_input',
      details: { field: 'reason' },
    });
    expect(await refusal(service.overrideCoverage(untyped({ missionId: mission.id }), JORDAN))).toMatchObject({
      code: 'invalid_input',
      details: { field: 'reason' },
    });
    expect(await stored(mission.id)).toEqual(before);
  });

  async function executedWithoutReview() {
    const mission = await seedToExecuting(service, clock);
    await executeSeedPhases(service, clock, mission.id);
    return mission;
  }

  it("counts a person's latest review for the code-review check; an assistant cannot record one", async () => {
    const mission = await executedWithoutReview();
    const before = await stored(mission.id);
    expect(await refusal(service.recordReview({ missionId: mission.id, decision: 'approved', note: 'Looks good to me' }, ASSISTANT))).toMatchObject({
      code: 'permission_denied',
    });
    expect(await refusal(service.recordReview({ missionId: mission.id, decision: untyped('lgtm'), note: 'x' }, JORDAN))).toMatchObject({
      details: { field: 'decision' },
    });
    expect(await stored(mission.id)).toEqual(before);
    await service.recordReview({ missionId: mission.id, decision: 'approved', note: 'Read the diff' }, ADVISOR);
    await service.recordReview({ missionId: mission.id, decision: 'changes_requested', note: 'The mutex timeout is too long' }, JORDAN);
    const gateFailure = await refusal(service.completeMission({ missionId: mission.id }, ASSISTANT));
    expect(gateFailure.message).toContain('changes requested by Jordan Nakamura');
    await service.recordReview({ missionId: mission.id, decision: 'approved', note: 'Timeout shortened' }, JORDAN);
    await signOffTruths(service, mission.id);
    const done = await service.completeMission({ missionId: mission.id }, ASSISTANT);
    expect(done.state).toBe('reflecting');
  });

  it('lets only approvers override a gate check, once, while executing; the check is marked overridden', async () => {
    const mission = await executedWithoutReview();
    const before = await stored(mission.id);
    const input = { missionId: mission.id, checkId: 'code_review' as const, reason: 'Paired on it' };
    expect(await refusal(service.overrideGate(input, OUTSIDER))).toMatchObject({
      code: 'permission_denied',
      message: expect.stringContaining('not an approver'),
    });
    expect(await refusal(service.overrideGate(input, ASSISTANT))).toMatchObject({
      code: 'permission_denied',
      message: expect.stringContaining('an assistant never can'),
    });
    expect(await refusal(service.overrideGate({ ...input, reason: '' }, ADVISOR))).toMatchObject({ details: { field: 'reason' } });
    expect(await refusal(service.overrideGate({ ...input, checkId: untyped('vibes') }, ADVISOR))).toMatchObject({ details: { field: 'checkId' } });
    expect(await refusal(service.overrideGate({ ...input, phaseId: 'nope' }, ADVISOR))).toMatchObject({ details: { field: 'phaseId' } });
    expect(await stored(mission.id)).toEqual(before);
    await service.overrideGate(input, ADVISOR);
    expect(await refusal(service.overrideGate(input, ADVISOR))).toMatchObject({ code: 'already_decided' });
    await signOffTruths(service, mission.id);
    const done = await service.completeMission({ missionId: mission.id }, ASSISTANT);
    expect(done.execution!.finalGate!.checks.find((c) => c.id === 'code_review')).toMatchObject({
      passed: true,
      overridden: { reason: 'Paired on it', by: { id: ADVISOR.id } },
    });
    const after = await stored(mission.id);
    expect(await refusal(service.overrideGate({ ...input, checkId: 'ci_checks' }, ADVISOR))).toMatchObject({ code: 'transition_refused' });
    expect(await stored(mission.id)).toEqual(after);
  });

  it("lets an approver override a check of a running phase's gate, so the phase can complete; marked overridden on the phase", async () => {
    const mission = await seedToExecuting(service, clock);
    const [phase] = SEED_PHASES;
    await reportSeedPhase(service, clock, mission.id, { ...phase!, tests: null });
    await service.reportProgress({ missionId: mission.id, kind: 'test_run', phaseId: phase!.phaseId, total: 140, passing: 139 }, ASSISTANT);
    expect((await refusal(service.reportProgress({ missionId: mission.id, kind: 'phase_completed', phaseId: phase!.phaseId }, ASSISTANT))).code).toBe(
      'gate_failed',
    );
    await service.overrideGate(
      { missionId: mission.id, phaseId: phase!.phaseId, checkId: 'tests_passing', reason: 'The one failure is a known flaky test, tracked in ENG-9' },
      ADVISOR,
    );
    const completed = await service.reportProgress({ missionId: mission.id, kind: 'phase_completed', phaseId: phase!.phaseId }, ASSISTANT);
    const gate = completed.execution!.phases[0]!.gate!;
    expect(gate.passed).toBe(true);
    expect(gate.checks.find((c) => c.id === 'tests_passing')).toMatchObject({
      passed: true,
      overridden: { reason: 'The one failure is a known flaky test, tracked in ENG-9' },
    });
    // The override is for that phase only: the mission gate's checks are not touched by it.
    expect(completed.execution!.gateOverrides).toEqual([expect.objectContaining({ phaseId: phase!.phaseId, checkId: 'tests_passing' })]);
  });
});
