// Buttons and controls. Each handler acknowledges at once, decodes the value (mission id
// plus what it acts on), calls MissionService as the clicking person, and tells only that
// person when the service refuses. Thread messages change through the projection, not here.
import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Actor } from '../domain/actors.js';
import { mayDecide, type ApprovalRequest } from '../domain/approvalPolicy.js';
import { isMissionError, MissionError } from '../domain/errors.js';
import type { Mission } from '../domain/mission.js';
import type { Play } from '../domain/plays.js';
import { ACTION_IDS, decodeActionValue, type ActionId, type ActionValue } from './actionIds.js';
import { findApprovalRequest } from './approvalMessage.js';
import { publishAppHome } from './appHomeHandler.js';
import { cancelMissionModal, chipEditModal, dismissPlayModal, feedbackModal, pinToLibraryModal, playPlanModal, rejectReasonModal, resolveAlertModal, rollbackModal } from './modals.js';
import { notice, refusalMessage, slackActor, tellUser, type ReplyTarget, type SlackHandlerDeps } from './interactionReplies.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

interface ActionContext {
  args: ActionArgs;
  value: ActionValue;
  actor: Actor;
  target: ReplyTarget;
  openModal(view: ModalView): Promise<void>;
}

export function registerActionHandlers(app: App, deps: SlackHandlerDeps): void {
  const { service, logger } = deps;

  const on = (actionId: ActionId, run: (ctx: ActionContext) => Promise<void>) => {
    app.action<BlockAction>(actionId, async (args) => {
      await args.ack();
      const { body, client } = args;
      const action = args.action as { value?: string };
      const target: ReplyTarget = { client, userId: body.user.id, respond: args.respond, hasResponseUrl: Boolean(body.response_url), channelId: body.channel?.id ?? null };
      const value = decodeActionValue(action.value) ?? decodeBlockValue(body);
      if (!value) {
        await tellUser(target, notice('⚠️ This button is from an older version of Mission Control; use `/mission status <id>` instead.'), logger);
        return;
      }
      const actor = slackActor(body.user.id, body.user.name ?? body.user.username);
      try {
        await run({
          args,
          value,
          actor,
          target,
          openModal: async (view) => {
            await client.views.open({ trigger_id: body.trigger_id, view }).catch((error: unknown) => {
              throw modalRefusal(error);
            });
          },
        });
      } catch (error) {
        await tellUser(target, refusalMessage(error, logger), logger);
      }
      // An approval decided from the App Home changes what the Home shows.
      if (body.view?.type === 'home') await publishAppHome(client, service, body.user.id, logger);
    });
  };

  const mission = (ctx: ActionContext) => service.getMission({ missionId: ctx.value.missionId });

  on(ACTION_IDS.briefEditChip, async (ctx) => {
    if (!ctx.value.chip) throw new MissionError('invalid_input', 'This Edit button does not say which chip it edits.');
    await ctx.openModal(chipEditModal(await mission(ctx), ctx.value.chip));
  });
  on(ACTION_IDS.briefAcceptAll, async (ctx) => {
    await service.lockBrief({ missionId: ctx.value.missionId }, ctx.actor);
  });
  on(ACTION_IDS.missionCancel, async (ctx) => ctx.openModal(cancelMissionModal(await mission(ctx))));

  // The checkboxes carry no value of their own; the mission id is on the Confirm button beside them.
  app.action<BlockAction>(ACTION_IDS.toolkitsSelect, async (args) => {
    await args.ack();
    const { body, client } = args;
    const target: ReplyTarget = { client, userId: body.user.id, respond: args.respond, hasResponseUrl: Boolean(body.response_url), channelId: body.channel?.id ?? null };
    const value = decodeBlockValue(body);
    const selected = (args.action as { selected_options?: Array<{ value: string }> }).selected_options ?? [];
    // Nothing ticked is not a selection; Confirm will say a toolkit is needed.
    if (!value || selected.length === 0) return;
    try {
      await service.selectToolkits({ missionId: value.missionId, toolkits: selected.map((o) => ({ toolkitId: o.value })) }, slackActor(body.user.id, body.user.name ?? body.user.username));
    } catch (error) {
      await tellUser(target, refusalMessage(error, logger), logger);
    }
  });
  on(ACTION_IDS.toolkitsConfirm, async (ctx) => {
    await service.confirmToolkits({ missionId: ctx.value.missionId }, ctx.actor);
  });
  on(ACTION_IDS.playSelect, async (ctx) => {
    await service.selectPlay({ missionId: ctx.value.missionId, playId: requireField(ctx.value.playId, 'play') }, ctx.actor);
  });
  on(ACTION_IDS.requestApproval, async (ctx) => {
    await service.requestApproval({ missionId: ctx.value.missionId, ...(ctx.value.playId ? { playId: ctx.value.playId } : {}) }, ctx.actor);
  });

  on(ACTION_IDS.approvalApprove, async (ctx) => {
    try {
      await service.decideApproval({ missionId: ctx.value.missionId, decision: 'approve', ...(ctx.value.requestId ? { requestId: ctx.value.requestId } : {}) }, ctx.actor);
    } catch (error) {
      if (isMissionError(error) && error.code === 'permission_denied') await recordDenied(ctx, error.message);
      throw error;
    }
  });
  on(ACTION_IDS.approvalReject, async (ctx) => {
    // Refuse before the modal, so a person who may not decide is told now, not after typing a reason.
    const current = await mission(ctx);
    const request = findApprovalRequest(current, ctx.value.requestId);
    const refusal = rejectRefusal(current, request, ctx.actor);
    if (refusal?.code === 'permission_denied') await recordDenied(ctx, refusal.message);
    if (refusal) throw refusal;
    await ctx.openModal(rejectReasonModal(current, request!.id));
  });

  on(ACTION_IDS.alertResolve, async (ctx) => ctx.openModal(resolveAlertModal(await mission(ctx), requireField(ctx.value.alertId, 'alert'), 'accepted')));
  on(ACTION_IDS.alertBlock, async (ctx) => ctx.openModal(resolveAlertModal(await mission(ctx), requireField(ctx.value.alertId, 'alert'), 'blocked')));
  on(ACTION_IDS.rollback, async (ctx) => ctx.openModal(rollbackModal(await mission(ctx))));
  on(ACTION_IDS.feedbackOpen, async (ctx) => ctx.openModal(feedbackModal(await mission(ctx))));
  on(ACTION_IDS.pinOpen, async (ctx) => ctx.openModal(pinToLibraryModal(await mission(ctx))));
  on(ACTION_IDS.closeMission, async (ctx) => {
    await service.submitRetrospective({ missionId: ctx.value.missionId }, ctx.actor);
  });

  registerPlanControls(on, service);

  async function recordDenied(ctx: ActionContext, reason: string): Promise<void> {
    // The audit record of the refused click; failing to write it must not hide the explanation.
    await service.recordApprovalDenied({ missionId: ctx.value.missionId, reason }, ctx.actor).catch((error: unknown) => logger.warn({ err: error }, 'could not record approval_denied'));
  }
}

/** The value of the first button in the clicked block: how a control without its own value finds its mission. */
function decodeBlockValue(body: BlockAction): ActionValue | null {
  const blockId = body.actions[0]?.block_id;
  const blocks = (body.message?.blocks ?? body.view?.blocks ?? []) as Array<{ block_id?: string; elements?: Array<{ value?: string }> }>;
  const block = blocks.find((b) => b.block_id === blockId);
  for (const element of block?.elements ?? []) {
    const value = decodeActionValue(element.value);
    if (value) return value;
  }
  return null;
}

function requireField(value: string | undefined, what: string): string {
  if (!value) throw new MissionError('invalid_input', `This button does not say which ${what} it acts on.`);
  return value;
}

/** Why `actor` may not reject `request` now, in the service's words; null when they may. */
function rejectRefusal(mission: Mission, request: ApprovalRequest | null, actor: Actor): MissionError | null {
  if (!request) return new MissionError('transition_refused', `No approval has been requested for this mission (it is ${mission.state}).`);
  if (request.status !== 'requested' || mission.approval?.id !== request.id) {
    const last = request.decisions[request.decisions.length - 1];
    const by = last ? ` by ${last.approverName ?? `<@${last.approverId}>`}` : '';
    return new MissionError('already_decided', `This approval request was already ${request.status}${request.status === 'expired' || request.status === 'cancelled' ? '' : by} at ${request.decidedAt ?? 'an earlier time'}.`);
  }
  const permission = mayDecide(request, actor, mission.requester);
  if (!permission.allowed) return new MissionError('permission_denied', permission.reason);
  const mine = request.decisions.find((d) => d.approverId === actor.id);
  if (mine) return new MissionError('already_decided', `You already ${mine.decision} this request at ${mine.at}.`);
  return null;
}

/**
 * View plan (any play, from the plays message or an approval request: read-only, for anyone in
 * the thread), Dismiss (refused before the modal when the mission no longer chooses plays) and
 * Regenerate a brief chip (drafted again from the intent, recorded as chip_regenerated).
 */
function registerPlanControls(on: (actionId: ActionId, run: (ctx: ActionContext) => Promise<void>) => void, service: SlackHandlerDeps['service']): void {
  on(ACTION_IDS.playView, async (ctx) => {
    const current = await service.getMission({ missionId: ctx.value.missionId });
    await ctx.openModal(playPlanModal(current, playOf(current, ctx.value.playId)));
  });
  on(ACTION_IDS.playDismiss, async (ctx) => {
    const current = await service.getMission({ missionId: ctx.value.missionId });
    const play = playOf(current, ctx.value.playId);
    if (current.state !== 'planning') throw new MissionError('transition_refused', `Plays can be dismissed only while one is being chosen; the mission is ${current.state.replace('_', ' ')}.`, { state: current.state });
    if (play.status === 'dismissed') throw new MissionError('already_decided', `Play "${play.title}" was already dismissed: ${play.dismissedReason ?? 'no reason given'}.`);
    await ctx.openModal(dismissPlayModal(current, play));
  });
  on(ACTION_IDS.briefRegenerateChip, async (ctx) => {
    if (!ctx.value.chip) throw new MissionError('invalid_input', 'This Regenerate button does not say which chip it drafts again.');
    await service.regenerateChip({ missionId: ctx.value.missionId, kind: ctx.value.chip }, ctx.actor);
  });
}

function playOf(mission: Mission, playId: string | undefined): Play {
  const play = mission.plays.find((p) => p.id === requireField(playId, 'play'));
  if (!play) throw new MissionError('invalid_input', `Mission ${mission.id} has no play ${playId}; use \`/mission status ${mission.id}\` to see its plays.`, { field: 'playId' });
  return play;
}

/** views.open failures in words: Slack gives a trigger 3 seconds, and a slow click loses it. */
function modalRefusal(error: unknown): unknown {
  const code = (error as { data?: { error?: unknown } }).data?.error;
  if (code === 'expired_trigger_id') return new MissionError('precondition_failed', 'Slack closed the window for opening this form before it could open (it allows 3 seconds). Click the button again.');
  return error;
}
