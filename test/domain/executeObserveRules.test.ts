// Execute & Observe rules (src/domain/executeObserve.ts) called directly, no database: phases in
// order, steps and test runs, review alerts, the phase gate, and each refusal leaving the mission
// as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { completePhase, raiseAlert, recordDeviation, reportStep, reportTestRun, resolveAlert, startPhase } from '../../src/domain/executeObserve.js';
import { alertCounts, deviationCount, RECENT_HISTORY, tallyAlerts } from '../../src/domain/execution.js';
import type { Mission } from '../../src/domain/mission.js';
import { evaluatePhaseGate, gateRequirements } from '../../src/domain/qualityGates.js';
import { retrospectiveMetrics } from '../../src/domain/reflectImprove.js';
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

describe('the recent window and the summaries a report keeps up to date', () => {
  const [plannedId] = FIRST.steps[0]!;
  const many = RECENT_HISTORY + 5;
  /** `many` reports of the first planned step and as many runs (only the first measures coverage), then one extra step. */
  const reported = () => {
    let mission = started();
    const positions: { steps: number[]; runs: number[] } = { steps: [], runs: [] };
    for (let i = 0; i < many; i++) {
      const cmd = commandBy(ASSISTANT, new Date(NOW.getTime() + i * 1000));
      mission = reportStep(mission, { phaseId: FIRST.phaseId, stepId: plannedId, durationMs: 10 + i, counts: { tests_added: 2, files_modified: i } }, cmd);
      mission = reportTestRun(mission, { phaseId: FIRST.phaseId, total: 100, passing: 100, coverage: i === 0 ? 0.95 : undefined }, cmd);
      positions.steps.push(...cmd.writes.steps.map((s) => s.position));
      positions.runs.push(...cmd.writes.testRuns.map((r) => r.position));
    }
    const cmd = commandBy(ASSISTANT, NOW);
    mission = reportStep(
      mission,
      { phaseId: FIRST.phaseId, stepId: 'hotfix', durationMs: 5, counts: { tests_added: 1 }, deviation: { rule: 1, reason: 'a bug on the way' } },
      cmd,
    );
    positions.steps.push(...cmd.writes.steps.map((s) => s.position));
    return { mission, positions };
  };

  it('records each step and run at the position after every earlier one, and keeps only the latest in the mission', () => {
    const { mission, positions } = reported();
    expect(positions.steps).toEqual(Array.from({ length: many + 1 }, (_, i) => i));
    expect(positions.runs).toEqual(Array.from({ length: many }, (_, i) => i));
    const phase = mission.execution!.phases[0]!;
    expect(phase.steps).toHaveLength(RECENT_HISTORY);
    expect(phase.steps.at(-1)!.stepId).toBe('hotfix');
    expect(phase.testRuns).toHaveLength(RECENT_HISTORY);
  });

  it('counts every step and run, sums the counts, and remembers the latest coverage and each planned step however old', () => {
    const { mission } = reported();
    expect(mission.execution!.phases[0]!.history).toEqual({
      stepCount: many + 1,
      testRunCount: many,
      latestCoveredRun: expect.objectContaining({ coverage: 0.95 }),
      countTotals: { tests_added: 2 * many + 1, files_modified: (many * (many - 1)) / 2 },
      plannedStepReports: [expect.objectContaining({ stepId: plannedId, durationMs: 10 + many - 1 })],
      extraStepCount: 1,
    });
  });

  it('lets the gate and the retrospective see what left the window: coverage measured long ago, every step and test added', () => {
    const { mission } = reported();
    const execution = mission.execution!;
    const last = { ...execution.phases[0]!, index: execution.phases.length - 1 };
    const gate = evaluatePhaseGate(execution, last, { ...gateRequirements(mission.brief), coverageTarget: 0.9 }, NOW.toISOString());
    expect(gate.checks.find((c) => c.id === 'coverage_target')).toMatchObject({ passed: true, detail: '95% measured' });
    const metrics = retrospectiveMetrics(mission, NOW);
    expect(metrics).toMatchObject({ stepsCompleted: many + 1, testsAdded: 2 * many + 1, coverageAfter: 0.95, testsAfter: 100 });
  });
});

let issued = 0;
/** The command with ids unique across commands (each `commandBy` numbers its own from 1). */
const uniqueIds = (cmd: ReturnType<typeof commandBy>) => ({ ...cmd, newId: (prefix: string) => `${prefix}_w${++issued}` });

describe('deviations: the latest in the mission, every one counted and in the log', () => {
  const many = RECENT_HISTORY + 7;
  const recorded = () => {
    let mission = started();
    const ids: string[] = [];
    for (let i = 0; i < many; i++) {
      const cmd = uniqueIds(commandBy(ASSISTANT, new Date(NOW.getTime() + i * 1000)));
      mission = recordDeviation(mission, { phaseId: FIRST.phaseId, rule: 1, description: `fix ${i}`, reason: 'a bug on the way' }, cmd);
      expect(eventTypes(cmd)).toEqual(['deviation_recorded']);
      ids.push(mission.execution!.deviations.at(-1)!.id);
    }
    return { mission, ids };
  };

  it('keeps the latest RECENT_HISTORY in order with their ids, and counts every one', () => {
    const { mission, ids } = recorded();
    const execution = mission.execution!;
    expect(execution.deviations.map((d) => d.id)).toEqual(ids.slice(-RECENT_HISTORY));
    expect(execution.deviations.at(-1)!.description).toBe(`fix ${many - 1}`);
    expect(deviationCount(execution)).toBe(many);
    expect(retrospectiveMetrics(mission, NOW).deviations).toBe(many);
  });

  it('counts a document from before the window by its list', () => {
    const execution = started().execution!;
    const old = { ...execution, deviations: recorded().mission.execution!.deviations.slice(0, 3) };
    delete old.deviationTotal;
    expect(deviationCount(old)).toBe(3);
  });
});

describe('alerts: every open one and the latest closed ones in the mission, every one counted', () => {
  const closedMany = RECENT_HISTORY + 6;
  /** A review alert first (left open), then `closedMany` auto-fixes, one review alert among them resolved. */
  const raised = () => {
    let mission = raiseAlert(
      started(),
      { phaseId: FIRST.phaseId, type: 'review_required', severity: 'critical', description: 'first, left open' },
      uniqueIds(commandBy(ASSISTANT, NOW)),
    );
    const openId = mission.execution!.alerts.at(-1)!.id;
    mission = raiseAlert(
      mission,
      { phaseId: FIRST.phaseId, type: 'review_required', severity: 'high', description: 'to be accepted' },
      uniqueIds(commandBy(ASSISTANT, NOW)),
    );
    const acceptedId = mission.execution!.alerts.at(-1)!.id;
    mission = resolveAlert(mission, { alertId: acceptedId, outcome: 'accepted', note: 'fine' }, null, uniqueIds(commandBy(JORDAN, NOW)));
    for (let i = 0; i < closedMany; i++) {
      const cmd = uniqueIds(commandBy(ASSISTANT, new Date(NOW.getTime() + (i + 1) * 1000)));
      mission = raiseAlert(mission, { phaseId: FIRST.phaseId, type: 'auto_fix', severity: 'low', description: `lint ${i}` }, cmd);
      expect(eventTypes(cmd)).toEqual(['validator_alert_raised']);
    }
    return { mission, openId, acceptedId };
  };

  it('keeps the open alert however old, and only the latest RECENT_HISTORY closed ones, in the order raised', () => {
    const { mission, openId, acceptedId } = raised();
    const alerts = mission.execution!.alerts;
    expect(alerts[0]!.id).toBe(openId);
    expect(alerts.map((a) => a.id)).not.toContain(acceptedId);
    expect(alerts.slice(1).map((a) => a.description)).toEqual(Array.from({ length: RECENT_HISTORY }, (_, i) => `lint ${i + closedMany - RECENT_HISTORY}`));
  });

  it('counts every alert by status, type and severity, and the retrospective counts them all', () => {
    const { mission } = raised();
    expect(alertCounts(mission.execution!)).toEqual({
      raised: closedMany + 2,
      byStatus: { applied: closedMany, open: 1, resolved: 1, blocked: 0 },
      byType: { auto_fix: closedMany, review_required: 2 },
      bySeverity: { low: closedMany, medium: 0, high: 1, critical: 1 },
    });
    expect(retrospectiveMetrics(mission, NOW)).toMatchObject({ autoFixes: closedMany, reviewAlerts: 2 });
  });

  it('still lets a person resolve the open alert raised before the window, and the count moves', () => {
    const { mission, openId } = raised();
    const resolved = resolveAlert(mission, { alertId: openId, outcome: 'blocked', note: 'no' }, null, uniqueIds(commandBy(JORDAN, NOW)));
    const counts = alertCounts(resolved.execution!);
    expect(counts.byStatus).toMatchObject({ open: 0, blocked: 1 });
    // Now closed and the oldest: it leaves the window.
    expect(resolved.execution!.alerts.map((a) => a.id)).not.toContain(openId);
    expect(resolved.execution!.alerts).toHaveLength(RECENT_HISTORY);
  });

  it('refuses resolving an alert that left the window, saying it may have been decided long ago, and changes nothing', () => {
    const { mission, acceptedId } = raised();
    const cmd = uniqueIds(commandBy(JORDAN, NOW));
    const error = refusedBy(mission, cmd, () => resolveAlert(mission, { alertId: acceptedId, outcome: 'accepted', note: 'again' }, null, cmd));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('decided long ago');
  });

  it('counts a document from before the window by its list', () => {
    const { mission } = raised();
    const { alertTotals: _totals, ...old } = { ...mission.execution!, alerts: mission.execution!.alerts.slice(0, 3) };
    expect(alertCounts(old)).toEqual(tallyAlerts(old.alerts));
    expect(alertCounts(old).raised).toBe(3);
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
