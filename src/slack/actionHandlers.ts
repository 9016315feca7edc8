// Buttons and controls. Each handler acknowledges at once, decodes the value (mission id
// plus what it acts on), calls MissionService as the clicking person, and tells only that
// person when the service refuses. Thread messages change through the projection, not here.
import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Actor } from '../domain/actors.js';
import { isMissionError, MissionError } from '../domain/errors.js';
import { ACTION_IDS, decodeActionValue, type ActionId, type ActionValue } from './actionIds.js';
import { findApprovalRequest } from './approvalMessage.js';
import { publishAppHome } from './appHomeHandler.js';
import { requireExecuting } from '../domain/executeObserve.js';
import { coverageOverrideModal, gateOverrideModal, overridableChecks, recordReviewModal } from './governanceModals.js';
import { cancelMissionModal, chipEditModal, feedbackModal, pinToLibraryModal, rejectReasonModal, resolveAlertModal, rollbackModal } from './modals.js';
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
            await client.views.open({ trigger_id: body.trigger_id, view });
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
      await service.decideApproval({ missionId: ctx.value.missionId, decision: 'approve', ...(ctx.value.requestId ? { requestId: ctx.value.requestId } : {}) }, ctx.actor);
    } catch (error) {
      if (isMissionError(error) && error.code === 'permission_denied') await recordDenied(ctx, error.message);
      throw error;
    }
  });
  on(ACTION_IDS.approvalReject, async (ctx) => {
    // Refuse before the modal, so a person who may not decide is told now, not after typing a reason.
    // The domain answers, with the same rule the decision itself runs.
    const { missionId, requestId } = ctx.value;
    const refusal = await service.approvalDecisionRefusal({ missionId, decision: 'reject', ...(requestId ? { requestId } : {}) }, ctx.actor);
    if (refusal?.code === 'permission_denied') await recordDenied(ctx, refusal.message);
    if (refusal) throw refusal;
    const current = await mission(ctx);
    const request = findApprovalRequest(current, requestId);
    if (!request) throw new MissionError('transition_refused', `No approval has been requested for this mission (it is ${current.state}).`);
    await ctx.openModal(rejectReasonModal(current, request.id));
  });

  on(ACTION_IDS.alertResolve, async (ctx) => ctx.openModal(resolveAlertModal(await mission(ctx), requireField(ctx.value.alertId, 'alert'), 'accepted')));
  on(ACTION_IDS.alertBlock, async (ctx) => ctx.openModal(resolveAlertModal(await mission(ctx), requireField(ctx.value.alertId, 'alert'), 'blocked')));
  on(ACTION_IDS.rollback, async (ctx) => ctx.openModal(rollbackModal(await mission(ctx))));
  on(ACTION_IDS.feedbackOpen, async (ctx) => ctx.openModal(feedbackModal(await mission(ctx))));
  on(ACTION_IDS.pinOpen, async (ctx) => ctx.openModal(pinToLibraryModal(await mission(ctx))));
  on(ACTION_IDS.closeMission, async (ctx) => {
    await service.submitRetrospective({ missionId: ctx.value.missionId }, ctx.actor);
  });

  // Prepare: inspect again, defer a toolkit, override the coverage (a modal asks for the reason).
  on(ACTION_IDS.toolkitsInspect, async (ctx) => {
    await service.inspectCoverage({ missionId: ctx.value.missionId }, ctx.actor);
  });
  on(ACTION_IDS.toolkitDefer, async (ctx) => {
    await service.deferToolkit({ missionId: ctx.value.missionId, toolkitId: requireField(ctx.value.toolkitId, 'toolkit') }, ctx.actor);
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
    if (overridableChecks(current).length === 0) throw new MissionError('precondition_failed', 'No check of the mission gate fails right now: there is nothing to override.');
    await ctx.openModal(gateOverrideModal(current));
  });

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
