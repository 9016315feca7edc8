// `/mission`: help and usage are answered in the acknowledgement itself; everything else is
// acknowledged first (Slack allows 3 seconds) and answered afterwards. Starting a mission
// posts nothing here: the brief card is the Slack projection of the new mission; when the bot
// cannot post in the channel, the person is told through the command's response_url.
import type { App } from '@slack/bolt';
import type { Actor } from '../domain/actors.js';
import type { Mission } from '../domain/mission.js';
import { finishedMissionRefusal } from './actionHandlers.js';
import { ACTION_IDS } from './actionIds.js';
import { parseMissionCommand } from './missionCommandText.js';
import { cancelMissionModal } from './modals.js';
import { helpMessage, missionListMessage, missionStatusMessage, usageMessage } from './usageMessages.js';
import { notice, refusalMessage, slackActor, tellUser, type ReplyTarget, type SlackHandlerDeps } from './interactionReplies.js';

import type { SlackRequestIntake } from './requestIntake.js';

export const MISSION_COMMAND = '/mission';

/** How long work after an ack may wait for the Slack requests in hand to be answered. */
export const AFTER_ACK_MAX_WAIT_MS = 1000;

/**
 * Work that follows an ack runs one command at a time, each after the I/O already waiting and,
 * given the intake, once the Slack requests in hand are answered (at most AFTER_ACK_MAX_WAIT_MS
 * after it was queued): drafting a brief and saving the mission are CPU and synchronous database
 * work on the same event loop, and in a burst of commands they would otherwise delay the
 * acknowledgements of the requests still arriving.
 */
export class AfterAckQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(
    private readonly intake?: SlackRequestIntake,
    private readonly now: () => number = Date.now,
  ) {}
  run(task: () => Promise<void>): Promise<void> {
    const queuedAt = this.now();
    const turn = this.tail
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.intake?.quiet(queuedAt + AFTER_ACK_MAX_WAIT_MS - this.now()))
      .then(task);
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}

/** If the bot cannot post this mission's thread, the person is told through the command's response_url. */
function watchDelivery(deps: SlackHandlerDeps, target: ReplyTarget, missionId: string): Promise<void> | undefined {
  return deps.unreachableNotices?.watch(missionId, (text) => tellUser(target, notice(text), deps.logger));
}

/**
 * How every Slack entry point starts a mission (`/mission <intent>`, the message shortcut, an
 * @-mention): the mission lives in `channelId`, its brief card (the projection) opens its own
 * thread there, and if the bot cannot post there the person is told through `target`.
 * A refusal (an intent too short, say) is thrown for the caller to tell the person.
 */
export async function startMissionFromSlack(
  deps: SlackHandlerDeps,
  input: { intent: string; channelId: string },
  actor: Actor,
  target: ReplyTarget,
): Promise<Mission> {
  const mission = await deps.service.startMission(input, actor);
  await watchDelivery(deps, target, mission.id);
  return mission;
}

export function registerCommandHandlers(app: App, deps: SlackHandlerDeps): void {
  const { service, logger } = deps;
  const afterAck = new AfterAckQueue(deps.intake);
  app.command(MISSION_COMMAND, async ({ command, ack, respond, client }) => {
    const parsed = parseMissionCommand(command.text ?? '');
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', ...helpMessage() });
    if (parsed.kind === 'usage') return ack({ response_type: 'ephemeral', ...usageMessage(parsed.problem) });
    await ack();
    const actor = slackActor(command.user_id, command.user_name);
    const target = { client, userId: command.user_id, respond, hasResponseUrl: Boolean(command.response_url), channelId: command.channel_id };
    await afterAck.run(async () => {
      try {
        switch (parsed.kind) {
          case 'start': {
            await startMissionFromSlack(deps, { intent: parsed.intent, channelId: command.channel_id }, actor, target);
            return;
          }
          case 'list': {
            const page = await service.listMissions({ limit: 20 });
            await tellUser(target, missionListMessage(page.missions, { more: page.nextCursor !== null }), logger);
            return;
          }
          case 'status': {
            const mission = await service.getMission({ missionId: parsed.missionId });
            await tellUser(target, missionStatusMessage(mission), logger);
            // A parked thread is tried again now; if the bot still cannot post there, the person hears why.
            if (mission.channelId) {
              await watchDelivery(deps, target, mission.id);
              await deps.redeliver?.({ missionId: mission.id });
            }
            return;
          }
          case 'budget': {
            // The service checks the amount (a number, 0 or more) and that a person sets it; the change shows on the brief card.
            const mission = await service.setBudget({ missionId: parsed.missionId, budgetUsd: parsed.budgetUsd }, actor);
            const models = mission.models!;
            const text = `Budget for ${mission.id} is now $${models.budgetUsd!.toFixed(2)} (spent $${models.total.costUsd.toFixed(4)}${models.pausedAt ? '; still over it: execution stays paused' : ''}).`;
            await tellUser(target, notice(text), logger);
            return;
          }
          case 'cancel': {
            // A cancellation needs a reason: the modal asks for it, its submission cancels.
            const mission = await service.getMission({ missionId: parsed.missionId });
            const finished = finishedMissionRefusal(mission, ACTION_IDS.missionCancel);
            if (finished) throw finished;
            await client.views.open({ trigger_id: command.trigger_id, view: cancelMissionModal(mission) });
            return;
          }
        }
      } catch (error) {
        await tellUser(target, refusalMessage(error, logger), logger);
      }
    });
  });
}
