// Rules and next steps around the end of execution, without a database: UAT sign-off as a
// person's next step, assistant-reported coverage as a person's step in Prepare, and a release
// alert raised after completion, which a person acknowledges (no phase to block).
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveAlert } from '../../src/domain/executeObserve.js';
import type { Mission } from '../../src/domain/mission.js';
import { nextSteps } from '../../src/domain/nextSteps.js';
import { commandBy, eventTypes, inMemoryService, refusedBy } from '../support/ruleHarness.js';
import { reportDeployment, reportSeedPhase, SEED_PHASES, SEED_REVIEW, seedToExecuting, signOffTruths } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';

const NOW = new Date('2025-10-15T13:00:00.000Z');
const actions = (mission: Mission) => nextSteps(mission).steps.map((s) => `${s.action}:${s.who}`);

let phasesDone: Mission;
let truthsSigned: Mission;
let releaseFailed: Mission;
let closedWithAlertOpen: Mission;
let reported: Mission;
beforeAll(async () => {
  const { service, clock } = inMemoryService();
  const { id } = await seedToExecuting(service, clock);
  for (const phase of SEED_PHASES) {
    await reportSeedPhase(service, clock, id, phase);
    await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
  }
  phasesDone = await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN).then(() => service.getMission({ missionId: id }));
  truthsSigned = await signOffTruths(service, id);
  await service.completeMission({ missionId: id }, ASSISTANT);
  await reportDeployment(service, id, 904, 'production', 'success');
  releaseFailed = await reportDeployment(service, id, 905, 'production', 'failure', { description: 'error rate spiked' });
  closedWithAlertOpen = await service.submitRetrospective({ missionId: id, wentWell: ['Shipped'], toImprove: ['Canary first'] }, JORDAN);

  const started = await service.startMission({ intent: SEED_INTENT }, JORDAN);
  await service.lockBrief({ missionId: started.id }, JORDAN);
  await service.selectToolkits({ missionId: started.id, toolkits: [{ toolkitId: 'github' }] }, JORDAN);
  reported = await service.recordCoverage({ missionId: started.id, toolkitId: 'github', status: 'ready', summary: 'I read the repo' }, ASSISTANT);
});

describe('UAT as a next step', () => {
  it('asks a person to sign the truths off once every phase is done, and waits for it', () => {
    const outlook = nextSteps(phasesDone);
    expect(outlook.steps.find((s) => s.action === 'sign_off_uat')).toMatchObject({ who: 'person', description: expect.stringContaining('truth_1') });
    expect(outlook.waitingFor).toEqual({ kind: 'uat_sign_off', itemIds: ['truth_1', 'truth_2', 'truth_3'] });
  });

  it('no longer asks once every truth passed', () => {
    expect(actions(truthsSigned)).not.toContain('sign_off_uat:person');
    expect(nextSteps(truthsSigned).waitingFor).toBeNull();
  });
});

describe('assistant-reported coverage as a next step', () => {
  it('offers a person Accept reported coverage, saying what the meter would become', () => {
    const step = nextSteps(reported).steps.find((s) => s.action === 'accept_reported_coverage');
    expect(step).toMatchObject({ who: 'person', description: expect.stringContaining('github (no connector inspected it): coverage would be 100%') });
  });
});

describe('a release alert raised after completion', () => {
  const alertId = () => releaseFailed.execution!.alerts.find((a) => a.status === 'open')!.id;

  it('is offered to a person with the rollback while production is watched', () => {
    expect(releaseFailed.state).toBe('reflecting');
    expect(actions(releaseFailed).slice(0, 2)).toEqual(['resolve_alert:person', 'request_rollback:either']);
  });

  it('is acknowledged by a person: resolved, the mission still reflecting, no phase touched', () => {
    const cmd = commandBy(ADVISOR, NOW);
    const after = resolveAlert(releaseFailed, { alertId: alertId(), outcome: 'accepted', note: 'Redeploying' }, null, cmd);
    expect(after.state).toBe('reflecting');
    expect(after.execution!.alerts.find((a) => a.id === alertId())).toMatchObject({ status: 'resolved', resolution: { by: ADVISOR, note: 'Redeploying' } });
    expect(after.execution!.phases).toEqual(releaseFailed.execution!.phases);
    expect(eventTypes(cmd)).toEqual(['validator_alert_resolved']);
  });

  it('records a block without failing a phase (there is none to stop; undo is the rollback)', () => {
    const cmd = commandBy(ADVISOR, NOW);
    const after = resolveAlert(releaseFailed, { alertId: alertId(), outcome: 'blocked', note: 'Not acceptable' }, null, cmd);
    expect(after.execution!.alerts.find((a) => a.id === alertId())!.status).toBe('blocked');
    expect(after.execution!.phases).toEqual(releaseFailed.execution!.phases);
    expect(eventTypes(cmd)).toEqual(['validator_alert_resolved']);
  });

  it('can still be acknowledged once the mission is closed (done)', () => {
    expect(closedWithAlertOpen.state).toBe('done');
    const cmd = commandBy(ADVISOR, NOW);
    const after = resolveAlert(closedWithAlertOpen, { alertId: alertId(), outcome: 'accepted', note: 'Fixed forward' }, null, cmd);
    expect(after.state).toBe('done');
    expect(after.execution!.alerts.find((a) => a.id === alertId())!.status).toBe('resolved');
  });

  it('refuses an assistant, and an approver policy refusal, changing nothing', () => {
    const byAssistant = commandBy(ASSISTANT, NOW);
    expect(
      refusedBy(releaseFailed, byAssistant, () => resolveAlert(releaseFailed, { alertId: alertId(), outcome: 'accepted', note: 'ok' }, null, byAssistant)).code,
    ).toBe('permission_denied');
    const byRequester = commandBy(JORDAN, NOW);
    expect(
      refusedBy(releaseFailed, byRequester, () =>
        resolveAlert(releaseFailed, { alertId: alertId(), outcome: 'accepted', note: 'ok' }, 'Only approvers of high risk may accept this alert.', byRequester),
      ).message,
    ).toBe('Only approvers of high risk may accept this alert.');
  });
});
