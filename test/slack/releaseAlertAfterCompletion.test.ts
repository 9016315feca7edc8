// A deployment that fails after the mission completed (production is being watched) raises a
// review alert on a reflecting mission. From Slack, with signed requests built from the posted
// alert message, a person acknowledges it, or rolls back while undo is open.
import { afterEach, describe, expect, it } from 'vitest';
import type { MissionService } from '../../src/domain/missionService.js';
import { INPUT_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { PROVIDERS } from '../support/databases.js';
import { reportDeployment, reportSeedPhase, SECURITY_LEAD, SEED_PHASES, SEED_REVIEW, seedToExecuting, signOffTruths } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { ACTION_IDS, eventually, openBotHarness, openedModal, type BotHarness } from './slackHarness.js';

const ENV = { SLACK_APPROVERS: [JORDAN.id, ADVISOR.id, SECURITY_LEAD.id].join(','), APPROVALS_REQUIRED: 'critical:2' };

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

/** The seed mission completed, production deployed (the monitoring window opens), then a redeploy fails. */
async function failedAfterCompletion(service: MissionService): Promise<{ missionId: string; alertId: string }> {
  const clock = new TestClock();
  const { id } = await seedToExecuting(service, clock);
  for (const phase of SEED_PHASES) {
    await reportSeedPhase(service, clock, id, phase);
    await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
  }
  await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
  await signOffTruths(service, id);
  await service.completeMission({ missionId: id }, ASSISTANT);
  await reportDeployment(service, id, 904, 'production', 'success');
  const failed = await reportDeployment(service, id, 905, 'production', 'failure', { description: 'error rate spiked on /api/auth/refresh' });
  expect(failed.state).toBe('reflecting');
  const alert = failed.execution!.alerts.find((a) => a.status === 'open')!;
  expect(alert.description).toContain('Deployment to production failed');
  return { missionId: id, alertId: alert.id };
}

describe.each(PROVIDERS)('a release alert raised after completion, handled in Slack (%s)', (provider) => {
  it('is acknowledged from the alert message: its buttons open the modal, and the decision is recorded', async () => {
    bot = await openBotHarness(provider, ENV);
    const service = bot.app.missions;
    const { missionId, alertId } = await failedAfterCompletion(service);
    const posted = await eventually(() => {
      const found = bot!.messagesWith(ACTION_IDS.alertResolve).find((m) => JSON.stringify(m.blocks).includes(alertId));
      expect(found).toBeDefined();
      return found!;
    });
    // After completion there is no phase to block: Acknowledge, and Rollback while production is watched.
    expect(JSON.stringify(posted.blocks)).toContain('Raised after the mission completed');
    expect(JSON.stringify(posted.blocks)).not.toContain(ACTION_IDS.alertBlock);
    expect(JSON.stringify(posted.blocks)).toContain(ACTION_IDS.rollback);

    const viewsBefore = bot.fake.views.length;
    // An approver acknowledges it (a high alert needs someone other than the requester, as during execution).
    expect((await bot.click(posted, ACTION_IDS.alertResolve, ADVISOR)).status).toBe(200);
    const modal = await openedModal(bot, VIEW_IDS.resolveAlert, viewsBefore);
    expect(JSON.stringify(modal)).toContain('Acknowledge');
    const submitted = await bot.submitView(
      modal,
      { [INPUT_IDS.note.block]: { [INPUT_IDS.note.action]: { type: 'plain_text_input', value: 'Redeploying after the cache fix' } } },
      ADVISOR,
    );
    expect(submitted.status).toBe(200);

    const resolved = await eventually(async () => {
      const m = await service.getMission({ missionId });
      expect(m.execution!.alerts.find((a) => a.id === alertId)!.status).toBe('resolved');
      return m;
    });
    expect(resolved.state).toBe('reflecting');
    expect(resolved.execution!.alerts.find((a) => a.id === alertId)!.resolution).toMatchObject({ by: ADVISOR, note: 'Redeploying after the cache fix' });
    expect((await service.events({ missionId })).some((e) => e.type === 'validator_alert_resolved')).toBe(true);
    // Slack shows the decision and the buttons go away.
    await eventually(() => {
      const shown = JSON.stringify(bot!.fake.messages.get(posted.ts)!.blocks);
      expect(shown).toContain(`Resolved by <@${ADVISOR.id}>`);
      expect(shown).not.toContain(ACTION_IDS.alertResolve);
    });
  }, 60_000);

  it("rolls back from the alert message's Rollback button while production is watched", async () => {
    bot = await openBotHarness(provider, ENV);
    const service = bot.app.missions;
    const { missionId, alertId } = await failedAfterCompletion(service);
    const posted = await eventually(() => {
      const found = bot!.messagesWith(ACTION_IDS.alertResolve).find((m) => JSON.stringify(m.blocks).includes(alertId));
      expect(found).toBeDefined();
      return found!;
    });
    const viewsBefore = bot.fake.views.length;
    expect((await bot.click(posted, ACTION_IDS.rollback, JORDAN)).status).toBe(200);
    const modal = await openedModal(bot, VIEW_IDS.rollback, viewsBefore);
    await bot.submitView(
      modal,
      { [INPUT_IDS.reason.block]: { [INPUT_IDS.reason.action]: { type: 'plain_text_input', value: 'Production error rate after redeploy' } } },
      JORDAN,
    );
    await eventually(async () => expect((await service.getMission({ missionId })).state).toBe('rolled_back'));
  }, 60_000);
});
