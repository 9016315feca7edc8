// The brief card `/mission <intent>` posts: one section per chip with its confidence and, while
// the brief is open, Edit and Regenerate buttons below it; Accept all and Cancel below. Once locked, the same
// card shows the brief read-only.
import type { KnownBlock } from '@slack/types';
import { chipOf, CHIP_KINDS, CHIP_LABELS, type BriefChip, type ChipKind } from '../domain/brief.js';
import type { Mission } from '../domain/mission.js';
import { plural } from '../domain/text/englishLists.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS, truncate, type SlackMessage } from './blockKitLimits.js';
import { actions, button, confirmDialog, context, header, section } from './blocks.js';
import { fallbackText, CONFIDENCE_LABEL, safe, slackDate, STATE_LABEL, who } from './format.js';

const SOURCE_LABEL: Record<BriefChip['source'], string> = { drafted: 'drafted', edited: 'edited by a person', assistant: 'from the assistant' };

export function briefCard(mission: Mission): SlackMessage {
  const editable = mission.state === 'defining' && mission.brief.lockedAt === null;
  const chips = CHIP_KINDS.map((kind) => ({ kind, chip: chipOf(mission.brief, kind) }));
  const drafting = draftingNote(mission);
  const blocks: KnownBlock[] = [
    header(`Mission brief: ${mission.title}`),
    context([`\`${mission.id}\` · requested by ${who(mission.requester)} · ${STATE_LABEL[mission.state]}${spendNote(mission)}`]),
    ...(drafting ? [context([drafting])] : []),
    ...chips.flatMap(({ kind, chip }) => [chipSection(kind, chip, editable), ...(editable ? [chipControls(mission, kind, chip)] : [])]),
  ];
  const edits = mission.brief.editsMade > 0 ? ` · ${plural(mission.brief.editsMade, 'edit')}${editable ? ' so far' : ''}` : '';
  if (editable) {
    blocks.push(
      context([`Review each chip, edit what is off, then *Accept all* to lock the brief${edits}.`]),
      actions(`brief_actions`, [
        button({ text: 'Accept all', actionId: ACTION_IDS.briefAcceptAll, value: { missionId: mission.id, version: mission.version }, style: 'primary' }),
        button({
          text: 'Cancel mission',
          actionId: ACTION_IDS.missionCancel,
          value: { missionId: mission.id },
          style: 'danger',
        }),
      ]),
    );
  } else if (mission.brief.lockedAt) {
    blocks.push(context([`🔒 Brief locked ${slackDate(mission.brief.lockedAt)}${edits}`]));
  } else {
    blocks.push(context([`The brief can no longer be edited: the mission is ${mission.state.replace('_', ' ')}.`]));
  }
  const present = chips.filter((c) => c.chip).length;
  return {
    text: fallbackText(`Mission brief for “${mission.title}” (${mission.id}): ${plural(present, 'chip')}${editable ? '; review and Accept all' : ''}.`),
    blocks,
  };
}

/** Edit (or Add) opens the chip's modal; Regenerate drafts the chip again from the intent. */
function chipControls(mission: Mission, kind: ChipKind, chip: BriefChip | undefined) {
  const value = { missionId: mission.id, chip: kind, version: mission.version };
  return actions(`chip_controls_${kind}`, [
    button({ text: chip ? 'Edit' : 'Add', actionId: ACTION_IDS.briefEditChip, value }),
    button({
      text: 'Regenerate',
      actionId: ACTION_IDS.briefRegenerateChip,
      value,
      // A person's or an assistant's wording is replaced by a fresh draft: ask first.
      ...(chip && chip.source !== 'drafted'
        ? {
            confirm: confirmDialog(
              `Regenerate ${CHIP_LABELS[kind]}?`,
              `The current ${plural(chip.items.length, 'statement')} ${chip.items.length === 1 ? 'is' : 'are'} replaced by a fresh draft from the intent.`,
              'Regenerate',
            ),
          }
        : {}),
    }),
  ]);
}

function chipSection(kind: ChipKind, chip: BriefChip | undefined, editable: boolean) {
  const label = `*${CHIP_LABELS[kind]}*`;
  if (!chip) return section(`${label} · _not drafted yet_${editable ? ': add one if it matters for this mission.' : ''}`);
  const head = `${label} · confidence ${CONFIDENCE_LABEL[chip.confidence]} · ${SOURCE_LABEL[chip.source]}`;
  const inferred = new Set((chip.inferred ?? []).map((i) => i.toLowerCase()));
  const lines = chip.items.map((item) => `• ${safe(item)}${inferred.has(item.toLowerCase()) ? ' _(inferred)_' : ''}`);
  if (inferred.size > 0 && editable) lines.push('_Inferred: not in the intent. Keep them by editing the chip, or remove them._');
  if (chip.quote) lines.push(`_From the intent: “${safe(truncate(chip.quote, 200))}”_`);
  // The edit modal holds every item in its own input, so it is where a long chip can be read whole.
  const { text } = fitLines(lines, LIMITS.text, { head, noun: 'items', ...(editable ? { pointer: '(Edit shows them all)' } : {}) });
  return section(text);
}

/** Whether a model is still drafting, drafted, or gave no usable draft (then why): people see what they are reading. */
function draftingNote(mission: Mission): string | null {
  const drafting = mission.brief.drafting;
  if (!drafting) return null;
  const model = `\`${safe(drafting.drafter)}\``;
  switch (drafting.status) {
    case 'drafting':
      return `⏳ Drafting with ${model}… The chips below are the built-in draft until it answers (a few seconds).`;
    case 'drafted':
      return `✨ Drafted by ${model}. Check each chip: inferred items are marked.`;
    case 'fallback':
      return `⚠️ ${model} gave no usable draft (${safe(truncate(drafting.reason ?? 'no reason given', 300))}); these chips are the built-in drafter's.`;
  }
}

function spendNote(mission: Mission): string {
  const models = mission.models;
  if (!models || (models.total.calls === 0 && models.budgetUsd === null)) return '';
  const budget = models.budgetUsd === null ? '' : ` of a $${models.budgetUsd.toFixed(2)} budget`;
  return ` · model spend $${models.total.costUsd.toFixed(4)}${budget}${models.pausedAt ? ' ⏸️ over budget: execution paused' : ''}`;
}
