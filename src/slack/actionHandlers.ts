// Buttons and controls. Each handler acknowledges at once, decodes the value (mission id
// plus what it acts on), calls MissionService as the clicking person, and tells only that
// person when the service refuses. Thread messages change through the projection, not here.
import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Actor } from '../domain/actors.js';
import { isMissionError, MissionError } from '../domain/errors.js';
import type { Mission } from '../domain/mission.js';
import { isTerminal, type MissionState } from '../domain/missionStateMachine.js';
import { ACTION_IDS, decodeActionValue, type ActionId, type ActionValue } from './actionIds.js';
import { findApprovalRequest } from './approvalMessage.js';
import { publishAppHome } from './appHomeHandler.js';
import type { SlackMessage } from './blockKitLimits.js';
import { ENDED_WORDS } from './format.js';
import { requireExecuting } from '../domain/executeObserve.js';
import { uatResultModal } from './uatMessage.js';
import { coverageOverrideModal, gateOverrideModal, overridableChecks, recordReviewModal } from './governanceModals.js';
import {
  cancelMissionModal,
  chipEditModal,
  dismissPlayModal,
  feedbackModal,
  pinToLibraryModal,
  playPlanModal,
  rejectReasonModal,
  resolveAlertModal,
  rollbackModal,
} from './modals.js';
import type { Play } from '../domain/plays.js';
import { notice, refusalMessage, slackActor, tellUser, type ReplyTarget, type SlackHandlerDeps } from './interactionReplies.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

interface ActionContext {
  args: ActionArgs;
  actionId: ActionId;
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
      const target: ReplyTarget = {
        client,
        userId: body.user.id,
        respond: args.respond,
        hasResponseUrl: Boolean(body.response_url),
        channelId: body.channel?.id ?? null,
      };
      const fromHome = body.view?.type === 'home';
      // A refusal from the App Home is shown on the Home itself, where the person is looking.
      const refuse = (message: SlackMessage) => (fromHome ? publishAppHome(client, service, body.user.id, logger, message) : tellUser(target, message, logger));
      const value = decodeActionValue(action.value) ?? decodeBlockValue(body);
      if (!value) {
        await refuse(notice('⚠️ This button is from an older version of Mission Control; use `/mission status <id>` instead.'));
        return;
      }
      const actor = slackActor(body.user.id, body.user.name ?? body.user.username);
      try {
        await run({
          args,
          actionId,
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
        await refuse(refusalMessage(error, logger));
        return;
      }
      // An approval decided from the App Home changes what the Home shows.
      if (fromHome) await publishAppHome(client, service, body.user.id, logger);
    });
  };

  const mission = (ctx: ActionContext) => service.getMission({ missionId: ctx.value.missionId });
  /** The clicked mission, for a button that opens a modal: refused before the modal opens when the mission is over. */
  const openMission = async (ctx: ActionContext) => {
    const current = await mission(ctx);
    const refusal = finishedMissionRefusal(current, ctx.actionId);
    if (refusal) throw refusal;
    return current;
  };

  on(ACTION_IDS.briefEditChip, async (ctx) => {
    if (!ctx.value.chip) throw new MissionError('invalid_input', 'This Edit button does not say which chip it edits.');
    await ctx.openModal(chipEditModal(await openMission(ctx), ctx.value.chip));
  });
  on(ACTION_IDS.briefAcceptAll, async (ctx) => {
    await service.lockBrief({ missionId: ctx.value.missionId }, ctx.actor);
  });
  on(ACTION_IDS.missionCancel, async (ctx) => ctx.openModal(cancelMissionModal(await openMission(ctx))));

  // The checkboxes carry no value of their own; the mission id is on the Confirm button beside them.
  app.action<BlockAction>(ACTION_IDS.toolkitsSelect, async (args) => {
    await args.ack();
    const { body, client } = args;
    const target: ReplyTarget = {
      client,
      userId: body.user.id,
      respond: args.respond,
      hasResponseUrl: Boolean(body.response_url),
      channelId: body.channel?.id ?? null,
    };
    const value = decodeBlockValue(body);
    const selected = (args.action as { selected_options?: Array<{ value: string }> }).selected_options ?? [];
    // Nothing ticked is not a selection; Confirm will say a toolkit is needed.
    if (!value || selected.length === 0) return;
    try {
      const actor = slackActor(body.user.id, body.user.name ?? body.user.username);
      await service.selectToolkits({ missionId: value.missionId, toolkits: selected.map((o) => ({ toolkitId: o.value })) }, actor);
      // Selecting runs the configured connectors' read-only inspection, so the message shows each toolkit's real state.
      await service.inspectCoverage({ missionId: value.missionId }, actor);
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
      await service.decideApproval(
        { missionId: ctx.value.missionId, decision: 'approve', ...(ctx.value.requestId ? { requestId: ctx.value.requestId } : {}) },
        ctx.actor,
      );
    } catch (error) {
      if (isMissionError(error) && error.code === 'permission_denied') await recordDenied(ctx, error.message);
      throw error;
    }
  });
  on(ACTION_IDS.approvalReject, async (ctx) => {
    // Refuse before the modal, so a person who may not decide is told now, not after typing a reason.
    // Refuses at once on a finished mission; otherwise the domain answers, with the same rule the decision itself runs.
    await openMission(ctx);
    const { missionId, requestId } = ctx.value;
    const refusal = await service.approvalDecisionRefusal({ missionId, decision: 'reject', ...(requestId ? { requestId } : {}) }, ctx.actor);
    if (refusal?.code === 'permission_denied') await recordDenied(ctx, refusal.message);
    if (refusal) throw refusal;
    const current = await mission(ctx);
    const request = findApprovalRequest(current, requestId);
    if (!request) throw new MissionError('transition_refused', `No approval has been requested for this mission (it is ${current.state}).`);
    await ctx.openModal(rejectReasonModal(current, request.id));
  });

  on(ACTION_IDS.alertResolve, async (ctx) => ctx.openModal(resolveAlertModal(await openMission(ctx), requireField(ctx.value.alertId, 'alert'), 'accepted')));
  on(ACTION_IDS.alertBlock, async (ctx) => ctx.openModal(resolveAlertModal(await openMission(ctx), requireField(ctx.value.alertId, 'alert'), 'blocked')));
  on(ACTION_IDS.rollback, async (ctx) => ctx.openModal(rollbackModal(await openMission(ctx))));
  on(ACTION_IDS.feedbackOpen, async (ctx) => ctx.openModal(feedbackModal(await openMission(ctx))));
  on(ACTION_IDS.pinOpen, async (ctx) => ctx.openModal(pinToLibraryModal(await openMission(ctx))));
  on(ACTION_IDS.closeMission, async (ctx) => {
    await service.submitRetrospective({ missionId: ctx.value.missionId }, ctx.actor);
  });

  // Prepare: inspect again, defer a toolkit, accept what the assistant reported, override the coverage (a modal asks for the reason).
  on(ACTION_IDS.toolkitsInspect, async (ctx) => {
    await service.inspectCoverage({ missionId: ctx.value.missionId }, ctx.actor);
  });
  on(ACTION_IDS.toolkitDefer, async (ctx) => {
    await service.deferToolkit({ missionId: ctx.value.missionId, toolkitId: requireField(ctx.value.toolkitId, 'toolkit') }, ctx.actor);
  });
  on(ACTION_IDS.coverageAcceptReported, async (ctx) => {
    await service.acceptReportedCoverage({ missionId: ctx.value.missionId }, ctx.actor);
  });
  on(ACTION_IDS.coverageOverrideOpen, async (ctx) => {
    const current = await mission(ctx);
    if (current.state !== 'preparing') throw new MissionError('transition_refused', `The toolkits are already confirmed: the mission is ${current.state}.`);
    await ctx.openModal(coverageOverrideModal(current));
  });

  // Gates a person owns: record a review; approvers override a gate check. Refused before the modal opens.
  const openReview = (decision: 'approved' | 'changes_requested') => async (ctx: ActionContext) => {
    const current = await mission(ctx);
    requireExecuting(current, 'record a review');
    await ctx.openModal(recordReviewModal(current, decision));
  };
  on(ACTION_IDS.reviewApproveOpen, openReview('approved'));
  on(ACTION_IDS.reviewChangesOpen, openReview('changes_requested'));
  on(ACTION_IDS.gateOverrideOpen, async (ctx) => {
    const current = await mission(ctx);
    requireExecuting(current, 'override a gate');
    const permission = await service.gateOverridePermission(current, ctx.actor);
    if (!permission.allowed) throw new MissionError('permission_denied', permission.reason);
    if (overridableChecks(current).length === 0)
      throw new MissionError('precondition_failed', 'No check of the mission gate fails right now: there is nothing to override.');
    await ctx.openModal(gateOverrideModal(current));
  });

  // UAT: Pass or Fail opens a modal for the note; refused before it opens once the mission no longer executes.
  const openUat = async (ctx: ActionContext) => {
    const current = await mission(ctx);
    requireExecuting(current, 'record a UAT result');
    const itemId = requireField(ctx.value.uatItemId, 'UAT item');
    await ctx.openModal(uatResultModal(current, itemId, ctx.value.uatOutcome ?? (ctx.actionId === ACTION_IDS.uatFailOpen ? 'fail' : 'pass')));
  };
  on(ACTION_IDS.uatPassOpen, openUat);
  on(ACTION_IDS.uatFailOpen, openUat);

  registerPlanControls(on, service);

  async function recordDenied(ctx: ActionContext, reason: string): Promise<void> {
    // The audit record of the refused click; failing to write it must not hide the explanation.
    await service
      .recordApprovalDenied({ missionId: ctx.value.missionId, reason }, ctx.actor)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not record approval_denied'));
  }
}

/** Buttons that still act once a mission is over, and after which end: feedback and the library pin follow a done mission. */
// A release alert raised while the mission reflected may still be open once it is closed: a person can still acknowledge it.
const STILL_OPEN_AFTER: Partial<Record<ActionId, readonly MissionState[]>> = {
  [ACTION_IDS.feedbackOpen]: ['done'],
  [ACTION_IDS.pinOpen]: ['done'],
  [ACTION_IDS.alertResolve]: ['done'],
};

/**
 * Why a control on a finished mission does nothing now, or null while it still acts. A stale
 * message, an approver's DM or the App Home may still show buttons after the mission ended;
 * the click (or `/mission cancel`) is answered at once, before any modal asks the person to type.
 */
export function finishedMissionRefusal(mission: Mission, actionId: ActionId): MissionError | null {
  if (!isTerminal(mission.state) || STILL_OPEN_AFTER[actionId]?.includes(mission.state)) return null;
  const ended = ENDED_WORDS[mission.state as keyof typeof ENDED_WORDS];
  return new MissionError(
    'transition_refused',
    `This mission ${ended} (last change ${mission.updatedAt.toISOString()}), so there is nothing left to do here. \`/mission status ${mission.id}\` shows how it ended.`,
    {
      state: mission.state,
    },
  );
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
    if (current.state !== 'planning')
      throw new MissionError(
        'transition_refused',
        `Plays can be dismissed only while one is being chosen; the mission is ${current.state.replace('_', ' ')}.`,
        { state: current.state },
      );
    if (play.status === 'dismissed')
      throw new MissionError('already_decided', `Play "${play.title}" was already dismissed: ${play.dismissedReason ?? 'no reason given'}.`);
    await ctx.openModal(dismissPlayModal(current, play));
  });
  on(ACTION_IDS.briefRegenerateChip, async (ctx) => {
    if (!ctx.value.chip) throw new MissionError('invalid_input', 'This Regenerate button does not say which chip it drafts again.');
    await service.regenerateChip({ missionId: ctx.value.missionId, kind: ctx.value.chip }, ctx.actor);
  });
}

function playOf(mission: Mission, playId: string | undefined): Play {
  const play = mission.plays.find((p) => p.id === requireField(playId, 'play'));
  if (!play)
    throw new MissionError('invalid_input', `Mission ${mission.id} has no play ${playId}; use \`/mission status ${mission.id}\` to see its plays.`, {
      field: 'playId',
    });
  return play;
}

/** views.open failures in words: Slack gives a trigger 3 seconds, and a slow click loses it. */
function modalRefusal(error: unknown): unknown {
  const code = (error as { data?: { error?: unknown } }).data?.error;
  if (code === 'expired_trigger_id')
    return new MissionError(
      'precondition_failed',
      'Slack closed the window for opening this form before it could open (it allows 3 seconds). Click the button again.',
    );
  return error;
}
