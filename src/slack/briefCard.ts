// The brief card `/mission <intent>` posts: one section per chip with its confidence and an
// Edit button while the brief is open; Accept all and Cancel below. Once locked, the same
// card shows the brief read-only.
import type { KnownBlock } from '@slack/types';
import { chipOf, CHIP_KINDS, CHIP_LABELS, type BriefChip, type ChipKind } from '../domain/brief.js';
import type { Mission } from '../domain/mission.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS, plural, truncate, type SlackMessage } from './blockKitLimits.js';
import { actions, button, context, header, section } from './blocks.js';
import { CONFIDENCE_LABEL, safe, slackDate, STATE_LABEL, who } from './format.js';

const SOURCE_LABEL: Record<BriefChip['source'], string> = { drafted: 'drafted', edited: 'edited by a person', assistant: 'from the assistant' };

export function briefCard(mission: Mission): SlackMessage {
  const editable = mission.state === 'defining' && mission.brief.lockedAt === null;
  const chips = CHIP_KINDS.map((kind) => ({ kind, chip: chipOf(mission.brief, kind) }));
  const drafting = draftingNote(mission);
  const blocks: KnownBlock[] = [
    header(`Mission brief: ${mission.title}`),
    context([`\`${mission.id}\` · requested by ${who(mission.requester)} · ${STATE_LABEL[mission.state]}${spendNote(mission)}`]),
    ...(drafting ? [context([drafting])] : []),
    ...chips.map(({ kind, chip }) => chipSection(mission, kind, chip, editable)),
  ];
  const edits = mission.brief.editsMade > 0 ? ` · ${plural(mission.brief.editsMade, 'edit')} so far` : '';
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
  return { text: truncate(`Mission brief for “${mission.title}” (${mission.id}): ${plural(present, 'chip')}${editable ? '; review and Accept all' : ''}.`, LIMITS.messageText), blocks };
}

function chipSection(mission: Mission, kind: ChipKind, chip: BriefChip | undefined, editable: boolean) {
  const label = `*${CHIP_LABELS[kind]}*`;
  const edit = editable
    ? button({ text: chip ? 'Edit' : 'Add', actionId: ACTION_IDS.briefEditChip, value: { missionId: mission.id, chip: kind, version: mission.version } })
    : undefined;
  if (!chip) return section(`${label} · _not drafted yet_${editable ? ': add one if it matters for this mission.' : ''}`, edit);
  const head = `${label} · confidence ${CONFIDENCE_LABEL[chip.confidence]} · ${SOURCE_LABEL[chip.source]}`;
  const inferred = new Set((chip.inferred ?? []).map((i) => i.toLowerCase()));
  const lines = chip.items.map((item) => `• ${safe(item)}${inferred.has(item.toLowerCase()) ? ' _(inferred)_' : ''}`);
  if (inferred.size > 0 && editable) lines.push('_Inferred: not in the intent. Keep them by editing the chip, or remove them._');
  if (chip.quote) lines.push(`_From the intent: “${safe(truncate(chip.quote, 200))}”_`);
  // The edit modal holds every item in its own input, so it is where a long chip can be read whole.
  const { text } = fitLines(lines, LIMITS.text, { head, noun: 'items', ...(editable ? { pointer: '(Edit shows them all)' } : {}) });
  return section(text, edit);
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
