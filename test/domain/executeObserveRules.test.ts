// Execute & Observe rules (src/domain/executeObserve.ts) called directly, no database: phases in
// order, steps and test runs, review alerts, the phase gate, and each refusal leaving the mission
// as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { completePhase, raiseAlert, reportStep, reportTestRun, resolveAlert, startPhase } from '../../src/domain/executeObserve.js';
import type { Mission } from '../../src/domain/mission.js';
import { gateRequirements } from '../../src/domain/qualityGates.js';
import { commandBy, eventTypes, inMemoryService, refusedBy } from '../support/ruleHarness.js';
import { SEED_PHASES, seedToExecuting, seedToPlanning } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';

const NOW = new Date('2025-10-15T11:00:00.000Z');
const FIRST = SEED_PHASES[0]!;
const SECOND = SEED_PHASES[1]!;

let executing: Mission;
let planning: Mission;
beforeAll(async () => {
  const { service, clock } = inMemoryService();
  executing = await seedToExecuting(service, clock);
  const other = inMemoryService();
  planning = await seedToPlanning(other.service, other.clock);
});

const started = () => startPhase(executing, { phaseId: FIRST.phaseId }, commandBy(ASSISTANT, NOW));

describe('startPhase', () => {
  it('starts the first phase and records it', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    const next = startPhase(executing, { phaseId: FIRST.phaseId }, cmd);
    expect(next.execution!.phases[0]!.status).toBe('running');
    expect(eventTypes(cmd)).toEqual(['execution_phase_started']);
    expect(executing.execution!.phases[0]!.status).toBe('pending');
  });

  it('refuses a phase out of order, naming the one to finish first', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(executing, cmd, () => startPhase(executing, { phaseId: SECOND.phaseId }, cmd));
    expect(error.code).toBe('precondition_failed');
    expect(error.message).toContain('Phases run in the order of the approved play');
  });

  it('refuses a phase the approved play does not have', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(executing, cmd, () => startPhase(executing, { phaseId: 'no_such_phase' }, cmd));
    expect(error.code).toBe('invalid_input');
    expect(error.details.field).toBe('phaseId');
  });

  it('refuses before execution has started', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    expect(refusedBy(planning, cmd, () => startPhase(planning, { phaseId: FIRST.phaseId }, cmd)).code).toBe('transition_refused');
  });
});

describe('reportStep and reportTestRun', () => {
  it('records a planned step and a test run on the running phase', () => {
    const [stepId, durationMs, counts] = FIRST.steps[0]!;
    const withStep = reportStep(started(), { phaseId: FIRST.phaseId, stepId, durationMs, counts: counts ?? {} }, commandBy(ASSISTANT, NOW));
    expect(withStep.execution!.phases[0]!.steps.map((s) => s.stepId)).toEqual([stepId]);
    const withRun = reportTestRun(withStep, { phaseId: FIRST.phaseId, total: 139, passing: 139, coverage: 0.87 }, commandBy(ASSISTANT, NOW));
    expect(withRun.execution!.phases[0]!.testRuns.map((r) => r.passing)).toEqual([139]);
  });

  it('refuses an unplanned step without a deviation, listing the planned steps', () => {
    const mission = started();
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(mission, cmd, () =>
      reportStep(mission, { phaseId: FIRST.phaseId, stepId: 'rewrite_everything', durationMs: 1000, counts: {} }, cmd),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(FIRST.steps[0]![0]);
  });

  it('refuses counts that do not add up', () => {
    const mission = started();
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(mission, cmd, () => reportTestRun(mission, { phaseId: FIRST.phaseId, total: 10, passing: 8, failing: 5 }, cmd));
    expect(error.code).toBe('invalid_input');
    expect(error.details.field).toBe('total');
  });

  it('refuses a step on a phase that is not running', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(executing, cmd, () =>
      reportStep(executing, { phaseId: FIRST.phaseId, stepId: FIRST.steps[0]![0], durationMs: 1, counts: {} }, cmd),
    );
    expect(error.code).toBe('precondition_failed');
  });
});

describe('review alerts', () => {
  const withAlert = () =>
    raiseAlert(
      started(),
      { phaseId: FIRST.phaseId, type: 'review_required', severity: 'high', description: 'Token store change needs review' },
      commandBy(ASSISTANT, NOW),
    );

  it('a person resolves a review alert once', () => {
    const mission = withAlert();
    const alert = mission.execution!.alerts.at(-1)!;
    const resolved = resolveAlert(mission, { alertId: alert.id, outcome: 'accepted', note: 'Reviewed' }, null, commandBy(JORDAN, NOW));
    expect(resolved.execution!.alerts.at(-1)!.status).toBe('resolved');
    const cmd = commandBy(JORDAN, NOW);
    expect(refusedBy(resolved, cmd, () => resolveAlert(resolved, { alertId: alert.id, outcome: 'blocked', note: 'again' }, null, cmd)).code).toBe(
      'already_decided',
    );
  });

  it('refuses accepting a high alert when the policy says the person may not (the refusal the service looked up)', () => {
    const mission = withAlert();
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(mission, cmd, () =>
      resolveAlert(
        mission,
        { alertId: mission.execution!.alerts.at(-1)!.id, outcome: 'accepted', note: 'fine' },
        'You are not an approver of high-risk plays. Ask U0ADVISOR.',
        cmd,
      ),
    );
    expect(error.code).toBe('permission_denied');
  });

  it('refuses an assistant resolving a review alert', () => {
    const mission = withAlert();
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(mission, cmd, () =>
      resolveAlert(mission, { alertId: mission.execution!.alerts.at(-1)!.id, outcome: 'accepted', note: 'fine' }, null, cmd),
    );
    expect(error.code).toBe('permission_denied');
  });
});

describe('completePhase', () => {
  it('refuses while the quality gate fails (no passing test run yet), then completes once it passes', () => {
    const mission = started();
    const requirements = gateRequirements(mission.brief);
    const cmd = commandBy(ASSISTANT, NOW);
    const error = refusedBy(mission, cmd, () => completePhase(mission, { phaseId: FIRST.phaseId }, requirements, cmd));
    expect(error.code).toBe('gate_failed');

    let reported = mission;
    for (const [stepId, durationMs, counts] of FIRST.steps)
      reported = reportStep(reported, { phaseId: FIRST.phaseId, stepId, durationMs, counts: counts ?? {} }, commandBy(ASSISTANT, NOW));
    reported = reportTestRun(
      reported,
      { phaseId: FIRST.phaseId, total: FIRST.tests!.total, passing: FIRST.tests!.total, coverage: FIRST.tests!.coverage },
      commandBy(ASSISTANT, NOW),
    );
    const done = completePhase(reported, { phaseId: FIRST.phaseId }, requirements, commandBy(ASSISTANT, new Date(NOW.getTime() + 18 * 60_000)));
    expect(done.execution!.phases[0]!.status).toBe('completed');
    expect(done.execution!.phases[0]!.gate!.passed).toBe(true);
  });
});
