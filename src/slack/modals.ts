// Modals: chip edit, the reason modals (reject, rollback, cancel, alert resolution),
// feedback and pin to library. Each carries the mission id (and what it acts on) in
// private_metadata, so the submission handler needs nothing else to call the service.
import type { InputBlock, KnownBlock, ModalView, PlainTextInput, PlainTextOption } from '@slack/types';
import { chipOf, CHIP_LABELS, MAX_CHIP_ITEMS, MAX_CHIP_ITEM_LENGTH, type ChipKind } from '../domain/brief.js';
import type { Mission } from '../domain/mission.js';
import type { Play } from '../domain/plays.js';
import { LIBRARY_MIN_RATING } from '../domain/reflection.js';
import { chipItemBlockId, encodeActionValue, INPUT_IDS, VIEW_IDS, type ActionValue, type ViewId } from './actionIds.js';
import { fitLines, LIMITS, truncate } from './blockKitLimits.js';
import { context, fieldsSection, plain, section } from './blocks.js';
import { RISK_LABEL, safe } from './format.js';
import { formatMinutes } from '../domain/text/durations.js';
import { plural } from '../domain/text/englishLists.js';
import { percent } from '../domain/text/numbers.js';

/** Empty rows offered below a chip's items so a person can add statements. */
const SPARE_CHIP_ROWS = 3;

export function modal(callbackId: ViewId, title: string, submit: string, metadata: ActionValue, blocks: KnownBlock[]): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: encodeActionValue(metadata),
    title: plain(title, LIMITS.viewTitle),
    submit: plain(submit, LIMITS.viewSubmit),
    close: plain('Cancel', LIMITS.viewClose),
    blocks: blocks.slice(0, LIMITS.viewBlocks),
  };
}

export function textInput(opts: {
  block: string;
  action: string;
  label: string;
  maxLength: number;
  multiline?: boolean;
  optional?: boolean;
  initial?: string;
  placeholder?: string;
  hint?: string;
}): InputBlock {
  const maxLength = Math.min(opts.maxLength, LIMITS.plainTextInputLength);
  const element: PlainTextInput = {
    type: 'plain_text_input',
    action_id: opts.action,
    max_length: maxLength,
    ...(opts.multiline ? { multiline: true } : {}),
    ...(opts.initial ? { initial_value: truncate(opts.initial, maxLength) } : {}),
    ...(opts.placeholder ? { placeholder: plain(opts.placeholder, LIMITS.placeholder) } : {}),
  };
  return {
    type: 'input',
    block_id: opts.block,
    label: plain(opts.label, LIMITS.inputLabel),
    element,
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: plain(opts.hint, LIMITS.inputHint) } : {}),
  };
}

/**
 * One input per statement (block ids chip_item_0, chip_item_1, …), because a chip may hold
 * 20 statements of 500 characters: more than one 3000-character input can carry. Blank
 * rows are dropped on submit.
 */
export function chipEditModal(mission: Mission, kind: ChipKind): ModalView {
  const items = chipOf(mission.brief, kind)?.items ?? [];
  const rows = Math.min(MAX_CHIP_ITEMS, Math.max(items.length + SPARE_CHIP_ROWS, 1));
  const inputs = Array.from({ length: rows }, (_, i) =>
    textInput({
      block: chipItemBlockId(i),
      action: INPUT_IDS.chipItem,
      label: `Statement ${i + 1}`,
      maxLength: MAX_CHIP_ITEM_LENGTH,
      optional: i > 0,
      initial: items[i] ?? '',
      ...(i >= items.length ? { placeholder: 'Add a statement (leave blank to skip)' } : {}),
    }),
  );
  return modal(VIEW_IDS.chipEdit, `Edit ${CHIP_LABELS[kind]}`, 'Save', { missionId: mission.id, chip: kind, version: mission.version }, [
    context([
      `*${safe(mission.title)}* · \`${mission.id}\` · at most ${MAX_CHIP_ITEMS} statements of ${MAX_CHIP_ITEM_LENGTH} characters; blank rows are dropped.`,
    ]),
    ...inputs,
  ]);
}

function reasonModal(callbackId: ViewId, title: string, submit: string, metadata: ActionValue, intro: string, label: string, maxLength: number): ModalView {
  return modal(callbackId, title, submit, metadata, [
    section(intro),
    textInput({ block: INPUT_IDS.reason.block, action: INPUT_IDS.reason.action, label, maxLength, multiline: true }),
  ]);
}

export function rejectReasonModal(mission: Mission, requestId: string): ModalView {
  const request = mission.approval?.id === requestId ? mission.approval : mission.approvalHistory.find((r) => r.id === requestId);
  const play = mission.plays.find((p) => p.id === request?.playId);
  return reasonModal(
    VIEW_IDS.rejectApproval,
    'Reject play',
    'Reject',
    { missionId: mission.id, requestId, ...(play ? { playId: play.id } : {}) },
    `Reject *${safe(play?.title ?? 'the play')}* for *${safe(mission.title)}* (\`${mission.id}\`). The mission goes back to choosing a play; your reason is recorded.`,
    'Why is it rejected?',
    2000,
  );
}

export function rollbackModal(mission: Mission): ModalView {
  const play = mission.plays.find((p) => p.id === mission.execution?.playId);
  return reasonModal(
    VIEW_IDS.rollback,
    'Roll back mission',
    'Roll back',
    { missionId: mission.id, ...(play ? { playId: play.id } : {}) },
    `Run the undo plan of *${safe(play?.title ?? 'the approved play')}* and end *${safe(mission.title)}* (\`${mission.id}\`) as rolled back. Steps no connector can carry out are left for a person.`,
    'Why roll back?',
    2000,
  );
}

export function cancelMissionModal(mission: Mission): ModalView {
  return reasonModal(
    VIEW_IDS.cancelMission,
    'Cancel mission',
    'Cancel mission',
    { missionId: mission.id },
    `Cancel *${safe(mission.title)}* (\`${mission.id}\`). This cannot be undone.`,
    'Why cancel?',
    1000,
  );
}

export function resolveAlertModal(mission: Mission, alertId: string, outcome: 'accepted' | 'blocked'): ModalView {
  const alert = mission.execution?.alerts.find((a) => a.id === alertId);
  const accepted = outcome === 'accepted';
  // After completion (a failed deployment) there is no phase to go on or stop: the person acknowledges it.
  const completed = mission.state !== 'executing' && Boolean(mission.execution?.completedAt);
  const effect = completed
    ? 'The work already completed: this records your decision; roll back from the alert or the status message if production must be undone.'
    : accepted
      ? 'The phase may go on.'
      : 'The phase stops and is marked failed.';
  const title = completed ? 'Acknowledge alert' : accepted ? 'Resolve alert' : 'Block alert';
  return modal(VIEW_IDS.resolveAlert, title, completed ? 'Acknowledge' : accepted ? 'Resolve' : 'Block', { missionId: mission.id, alertId, outcome }, [
    section(`${completed ? 'Acknowledge' : accepted ? 'Accept' : 'Block'}: ${safe(alert?.description ?? alertId)}\n${effect}`),
    textInput({
      block: INPUT_IDS.note.block,
      action: INPUT_IDS.note.action,
      label: accepted ? 'What did you confirm?' : 'Why block it?',
      maxLength: 2000,
      multiline: true,
    }),
  ]);
}

const RATING_OPTIONS: PlainTextOption[] = [5, 4, 3, 2, 1].map((n) => ({ text: plain(`${'⭐'.repeat(n)} ${n}`, LIMITS.optionText), value: String(n) }));

export function feedbackModal(mission: Mission): ModalView {
  return modal(VIEW_IDS.feedback, 'Mission feedback', 'Send', { missionId: mission.id }, [
    context([`*${safe(mission.title)}* · \`${mission.id}\` · plays rated ${LIBRARY_MIN_RATING} or more can be pinned to the library.`]),
    {
      type: 'input',
      block_id: INPUT_IDS.rating.block,
      label: plain('Rating'),
      element: { type: 'static_select', action_id: INPUT_IDS.rating.action, placeholder: plain('How did it go?', LIMITS.placeholder), options: RATING_OPTIONS },
    },
    {
      type: 'input',
      block_id: INPUT_IDS.effortSaved.block,
      label: plain('Effort saved (hours)'),
      optional: true,
      element: { type: 'number_input', action_id: INPUT_IDS.effortSaved.action, is_decimal_allowed: true, min_value: '0', max_value: '10000' },
    },
    textInput({
      block: INPUT_IDS.comments.block,
      action: INPUT_IDS.comments.action,
      label: 'Comments',
      maxLength: LIMITS.plainTextInputLength,
      multiline: true,
      optional: true,
    }),
    textInput({
      block: INPUT_IDS.improvements.block,
      action: INPUT_IDS.improvements.action,
      label: 'What should improve?',
      maxLength: LIMITS.plainTextInputLength,
      multiline: true,
      optional: true,
    }),
  ]);
}

export function pinToLibraryModal(mission: Mission): ModalView {
  const play = mission.plays.find((p) => p.status === 'approved');
  return modal(VIEW_IDS.pinToLibrary, 'Pin to library', 'Pin', { missionId: mission.id, ...(play ? { playId: play.id } : {}) }, [
    section(`Pin *${safe(play?.title ?? 'the approved play')}* to the library: later missions with matching tags see it as precedent and can reuse it.`),
    textInput({
      block: INPUT_IDS.tags.block,
      action: INPUT_IDS.tags.action,
      label: 'Tags',
      // 20 tags of at most 50 characters, comma-separated.
      maxLength: 20 * 52,
      initial: mission.tags.join(', '),
      hint: 'Lowercase words joined by hyphens, separated by commas, e.g. authentication, jwt-refresh',
    }),
    textInput({ block: INPUT_IDS.note.block, action: INPUT_IDS.note.action, label: 'Note for people who find it later', maxLength: 2000, multiline: true }),
  ]);
}

// ---- Plan controls: View plan (read-only) and Dismiss play -----------------------------------

/** Blocks the plan modal keeps for everything that is not a phase (intro, rationale, risk, undo, code, safeguards, must-haves, pointers). */
const PLAN_FRAME_BLOCKS = 10;

/**
 * A play as an approver reads it before deciding: every phase with its steps, the undo plan,
 * the risk matrix and the code change preview. A modal holds 100 blocks of 3000 characters;
 * a longer plan is cut with a pointer to PLAN.md and `/mission status`.
 */
export function playPlanModal(mission: Mission, play: Play): ModalView {
  // PLAN.md is the approved or selected play's plan; another play is read whole there once selected.
  const exported = play.status === 'approved' || play.status === 'selected';
  const pointer = exported
    ? `The whole plan: PLAN.md (\`mission://${mission.id}/plan.md\` over MCP), or \`/mission status ${mission.id}\`.`
    : `Select this play to read it whole as PLAN.md (\`mission://${mission.id}/plan.md\` over MCP); \`/mission status ${mission.id}\` shows where the mission stands.`;
  const status = play.status === 'dismissed' ? `dismissed: ${safe(play.dismissedReason ?? 'no reason')}` : play.status;
  const blocks: KnownBlock[] = [
    context([
      `*${safe(mission.title)}* · \`${mission.id}\` · play #${play.rank} · ${status} · confidence ${percent(play.confidence)} · estimate ${formatMinutes(play.estimatedDurationMinutes)}`,
    ]),
    section(fitLines([`_${safe(play.rationale)}_`], LIMITS.text, { head: `*${safe(play.title)}*` }).text),
    fieldsSection([
      `*Risk*\n${RISK_LABEL[play.riskLevel]}`,
      `*Complexity*\n${play.risk.complexity}`,
      `*Impact*\n${play.risk.impact}`,
      `*Reversibility*\n${play.risk.reversibility}`,
      `*Test coverage*\n${play.risk.testCoverage}`,
      ...(play.risk.notes ? [`*Risk notes*\n${safe(play.risk.notes)}`] : []),
    ]),
  ];
  const phaseBudget = LIMITS.viewBlocks - PLAN_FRAME_BLOCKS;
  const phases = play.phases.slice(0, phaseBudget);
  phases.forEach((phase, i) => {
    const steps = phase.steps.map((step, j) => `${j + 1}. ${safe(step.title)} \`${safe(step.id)}\``);
    blocks.push(
      section(
        fitLines(steps, LIMITS.text, { head: `*Phase ${i + 1}: ${safe(phase.name)}* (${plural(phase.steps.length, 'step')})`, noun: 'steps', pointer }).text,
      ),
    );
  });
  if (play.phases.length > phases.length) blocks.push(context([truncate(`…and ${play.phases.length - phases.length} more phases. ${pointer}`, LIMITS.text)]));
  const undo = play.undoPlan.steps.map((step, i) => `${i + 1}. ${safe(step)}`);
  blocks.push(section(fitLines(undo, LIMITS.text, { head: `*Undo plan* — ${safe(play.undoPlan.summary)}`, noun: 'undo steps', pointer }).text));
  const preview = play.codeChangePreview;
  if (preview) {
    const files = preview.files.map((f) => `• \`${safe(f)}\``);
    const head = `*Code change preview* — ${preview.filesToModify} modified, ${preview.filesToCreate} created, +${preview.linesAdded}/−${preview.linesRemoved} lines`;
    blocks.push(section(fitLines(files, LIMITS.text, { head, noun: 'files', pointer }).text));
  } else {
    blocks.push(section('*Code change preview* — _none given for this play._'));
  }
  const safeguards = play.safeguardsEnforced.map((sg) => `✓ ${safe(sg)}`);
  blocks.push(
    section(
      safeguards.length > 0
        ? fitLines(safeguards, LIMITS.text, { head: '*Safeguards enforced*', noun: 'safeguards' }).text
        : '*Safeguards enforced* — _none listed._',
    ),
  );
  const must = [
    ...play.mustHaves.truths.map((t) => `• ${safe(t)}`),
    ...play.mustHaves.artifacts.map((a) => `• exists: ${safe(a)}`),
    ...play.mustHaves.keyLinks.map((k) => `• wired: ${safe(k)}`),
  ];
  if (must.length > 0) blocks.push(section(fitLines(must, LIMITS.text, { head: '*Must be true when done*', noun: 'must-haves', pointer }).text));
  blocks.push(context([pointer]));
  return {
    type: 'modal',
    callback_id: VIEW_IDS.playPlan,
    private_metadata: encodeActionValue({ missionId: mission.id, playId: play.id }),
    title: plain('Plan', LIMITS.viewTitle),
    close: plain('Close', LIMITS.viewClose),
    blocks: blocks.slice(0, LIMITS.viewBlocks),
  };
}

export function dismissPlayModal(mission: Mission, play: Play): ModalView {
  return reasonModal(
    VIEW_IDS.dismissPlay,
    'Dismiss play',
    'Dismiss',
    { missionId: mission.id, playId: play.id, version: mission.version },
    `Dismiss *${safe(play.title)}* (#${play.rank}) for *${safe(mission.title)}* (\`${mission.id}\`). The other plays are ranked again; your reason is shown with it in the thread.`,
    'Why does this play not fit?',
    1000,
  );
}
