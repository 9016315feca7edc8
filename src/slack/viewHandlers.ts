// Modal submissions. The input is checked with the service's own schema first, so a bad
// field is shown on the field itself (response_action: errors) while the modal is open;
// then the modal closes and the service is called. A refusal after that (someone else was
// quicker, the state moved on) reaches only the person, in the mission's channel.
import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { z } from 'zod';
import type { Actor } from '../domain/actors.js';
import { isMissionError } from '../domain/errors.js';
import {
  cancelMissionInput,
  decideApprovalInput,
  dismissPlayInput,
  editChipInput,
  feedbackInput,
  parseInput,
  pinToLibraryInput,
  overrideCoverageInput,
  overrideGateInput,
  recordReviewInput,
  resolveAlertInput,
  rollbackInput,
} from '../domain/missionInputs.js';
import { chipItemBlockId, decodeActionValue, INPUT_IDS, VIEW_IDS, type ActionValue, type ViewId } from './actionIds.js';
import { parseGateOptionValue } from './governanceModals.js';
import { recordUatResultInput } from '../domain/missionInputs.js';
import { recordUatResultFor } from '../domain/verificationService.js';
import { refusalMessage, slackActor, tellUser, type SlackHandlerDeps } from './interactionReplies.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type StateValues = ViewSubmitAction['view']['state']['values'];

/** Which modal block shows a refused field (the service names fields like "reason" or "items[2]"). */
const FIELD_BLOCKS: Record<string, string> = {
  reason: INPUT_IDS.reason.block,
  note: INPUT_IDS.note.block,
  rating: INPUT_IDS.rating.block,
  effortSavedHours: INPUT_IDS.effortSaved.block,
  comments: INPUT_IDS.comments.block,
  suggestedImprovements: INPUT_IDS.improvements.block,
  tags: INPUT_IDS.tags.block,
  checkId: INPUT_IDS.gateCheck.block,
};

interface Submission<S extends z.ZodType> {
  schema: S;
  /** The service input built from the modal's fields and metadata. */
  input(values: StateValues, meta: ActionValue): unknown;
  run(input: z.output<S>, actor: Actor): Promise<unknown>;
}

type RegisterView = <S extends z.ZodType>(viewId: ViewId, submission: Submission<S>) => void;

export function registerViewHandlers(app: App, deps: SlackHandlerDeps): void {
  const { service, logger } = deps;

  const on = <S extends z.ZodType>(viewId: ViewId, submission: Submission<S>) => {
    app.view<ViewSubmitAction>(viewId, async (args: ViewArgs) => {
      const { body, client } = args;
      const meta = decodeActionValue(body.view.private_metadata);
      if (!meta) return args.ack();
      let input: z.output<S>;
      try {
        input = parseInput(submission.schema, submission.input(body.view.state.values, meta));
      } catch (error) {
        if (isMissionError(error) && error.code === 'invalid_input') {
          return args.ack({ response_action: 'errors', errors: { [blockFor(error.details.field, body.view.blocks)]: error.message } });
        }
        throw error;
      }
      await args.ack();
      try {
        await submission.run(input, slackActor(body.user.id, body.user.name));
      } catch (error) {
        const channelId = await service.getMission({ missionId: meta.missionId }).then(
          (m) => m.channelId,
          () => null,
        );
        await tellUser({ client, userId: body.user.id, hasResponseUrl: false, channelId }, refusalMessage(error, logger), logger);
      }
    });
  };

  on(VIEW_IDS.chipEdit, {
    schema: editChipInput,
    input: (values, meta) => ({ missionId: meta.missionId, kind: meta.chip, items: chipItems(values) }),
    run: (input, actor) => service.define.editChip(input, actor),
  });
  registerPlanViews(on, service);
  on(VIEW_IDS.rejectApproval, {
    schema: decideApprovalInput,
    input: (values, meta) => ({ missionId: meta.missionId, decision: 'reject', requestId: meta.requestId, reason: text(values, INPUT_IDS.reason) }),
    run: async (input, actor) => {
      try {
        return await service.plan.decideApproval(input, actor);
      } catch (error) {
        if (isMissionError(error) && error.code === 'permission_denied') {
          await service.recordApprovalDenied({ missionId: input.missionId, reason: error.message }, actor).catch(() => undefined);
        }
        throw error;
      }
    },
  });
  on(VIEW_IDS.resolveAlert, {
    schema: resolveAlertInput,
    input: (values, meta) => ({ missionId: meta.missionId, alertId: meta.alertId, outcome: meta.outcome, note: text(values, INPUT_IDS.note) }),
    run: (input, actor) => service.execute.resolveAlert(input, actor),
  });
  on(VIEW_IDS.rollback, {
    schema: rollbackInput,
    input: (values, meta) => ({ missionId: meta.missionId, reason: text(values, INPUT_IDS.reason) }),
    run: (input, actor) => (deps.rollback ? deps.rollback(input, actor) : service.execute.requestRollback(input, actor)),
  });
  on(VIEW_IDS.cancelMission, {
    schema: cancelMissionInput,
    input: (values, meta) => ({ missionId: meta.missionId, reason: text(values, INPUT_IDS.reason) }),
    run: (input, actor) => service.define.cancelMission(input, actor),
  });
  on(VIEW_IDS.feedback, {
    schema: feedbackInput,
    input: (values, meta) => {
      const rating = values[INPUT_IDS.rating.block]?.[INPUT_IDS.rating.action]?.selected_option?.value;
      const effort = values[INPUT_IDS.effortSaved.block]?.[INPUT_IDS.effortSaved.action]?.value;
      return {
        missionId: meta.missionId,
        rating: rating ? Number(rating) : undefined,
        ...(effort ? { effortSavedHours: Number(effort) } : {}),
        ...optional('comments', text(values, INPUT_IDS.comments)),
        ...optional('suggestedImprovements', text(values, INPUT_IDS.improvements)),
      };
    },
    run: (input, actor) => service.reflect.submitFeedback(input, actor),
  });
  on(VIEW_IDS.pinToLibrary, {
    schema: pinToLibraryInput,
    input: (values, meta) => ({
      missionId: meta.missionId,
      tags: (text(values, INPUT_IDS.tags) ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      note: text(values, INPUT_IDS.note),
    }),
    run: (input, actor) => service.reflect.pinToLibrary(input, actor),
  });
  // Decisions a person owns: coverage override, a code review, a gate override (approvers).
  on(VIEW_IDS.coverageOverride, {
    schema: overrideCoverageInput,
    input: (values, meta) => ({ missionId: meta.missionId, reason: text(values, INPUT_IDS.reason) }),
    run: (input, actor) => service.prepare.overrideCoverage(input, actor),
  });
  on(VIEW_IDS.recordReview, {
    schema: recordReviewInput,
    input: (values, meta) => ({ missionId: meta.missionId, decision: meta.decision, note: text(values, INPUT_IDS.note) }),
    run: (input, actor) => service.execute.recordReview(input, actor),
  });
  on(VIEW_IDS.gateOverride, {
    schema: overrideGateInput,
    input: (values, meta) => ({
      missionId: meta.missionId,
      ...parseGateOptionValue(values[INPUT_IDS.gateCheck.block]?.[INPUT_IDS.gateCheck.action]?.selected_option?.value ?? undefined),
      reason: text(values, INPUT_IDS.reason),
    }),
    run: (input, actor) => service.execute.overrideGate(input, actor),
  });
  on(VIEW_IDS.uatResult, {
    schema: recordUatResultInput,
    input: (values, meta) => ({ missionId: meta.missionId, itemId: meta.uatItemId, outcome: meta.uatOutcome, note: text(values, INPUT_IDS.note) }),
    run: (input, actor) => recordUatResultFor(service, input, actor),
  });
}

function text(values: StateValues, ids: { block: string; action: string }): string | undefined {
  const value = values[ids.block]?.[ids.action]?.value;
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}

/** Non-blank statements in row order (chip_item_0, chip_item_1, …); all blank is refused on the first row. */
function chipItems(values: StateValues): string[] {
  const items: string[] = [];
  for (let i = 0; values[chipItemBlockId(i)]; i++) {
    const value = values[chipItemBlockId(i)]?.[INPUT_IDS.chipItem]?.value;
    if (typeof value === 'string' && value.trim()) items.push(value.trim());
  }
  return items;
}

function blockFor(field: string | undefined, blocks: ViewSubmitAction['view']['blocks']): string {
  const name = (field ?? '').split(/[.[]/)[0] ?? '';
  const index = /^items\[(\d+)\]/.exec(field ?? '')?.[1];
  if (name === 'items') return chipItemBlockId(index ? Number(index) : 0);
  const known = FIELD_BLOCKS[name];
  if (known) return known;
  // Slack accepts errors only on input blocks of the view: fall back to the first one.
  const input = (blocks as Array<{ type: string; block_id?: string }>).find((b) => b.type === 'input' && b.block_id);
  return input?.block_id ?? INPUT_IDS.reason.block;
}

/** Dismiss play: a reason is required (refused on the field, nothing written); the plays are ranked again. */
function registerPlanViews(on: RegisterView, service: SlackHandlerDeps['service']): void {
  on(VIEW_IDS.dismissPlay, {
    schema: dismissPlayInput,
    input: (values, meta) => ({ missionId: meta.missionId, playId: meta.playId, reason: text(values, INPUT_IDS.reason) }),
    run: (input, actor) => service.plan.dismissPlay(input, actor),
  });
}
