// Plan: the ranked plays, each with confidence, rationale, phases, undo plan and risk
// matrix, and a Select button while the mission is planning. Dismissed plays fold into one
// line; once a play is selected, Request approval appears.
import type { KnownBlock } from '@slack/types';
import type { Mission } from '../domain/mission.js';
import type { Play } from '../domain/plays.js';
import { plural } from '../domain/text/englishLists.js';
import { percent } from '../domain/text/numbers.js';
import { formatMinutes } from '../domain/text/durations.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS, type SlackMessage } from './blockKitLimits.js';
import { actions, button, context, divider, fieldsSection, header, section } from './blocks.js';
import { RISK_LABEL, safe, statusPointer, fallbackText } from './format.js';

/** A card is seven blocks (title, risk fields, phases, undo, safeguards, plan controls, divider): six cards plus the frame fit in 50. */
const MAX_PLAY_CARDS = 6;

const STATUS_BADGE: Record<Play['status'], string> = { proposed: '', selected: ' · ☑️ *selected*', approved: ' · ✅ *approved*', dismissed: ' · dismissed' };
const SOURCE_LABEL: Record<Play['source'], string> = {
  assistant: 'proposed by the assistant',
  person: 'proposed by a person',
  library: 'from the library',
  default_planner: 'built-in planner',
  model_planner: 'proposed by the model planner',
};

export function playsMessage(mission: Mission): SlackMessage {
  const planning = mission.state === 'planning';
  const active = mission.plays.filter((p) => p.status !== 'dismissed').sort((a, b) => a.rank - b.rank);
  const dismissed = mission.plays.filter((p) => p.status === 'dismissed').sort((a, b) => a.rank - b.rank);
  const cards = active.slice(0, MAX_PLAY_CARDS);
  const blocks: KnownBlock[] = [
    header(`Plays for ${mission.title}`),
    context([
      `\`${mission.id}\` · ${plural(active.length, 'play')} ranked by confidence, precedent, safeguard coverage and reversibility${planning ? ' · select one, then request approval' : ''}`,
    ]),
  ];
  for (const play of cards) blocks.push(...playCard(mission, play, planning));
  if (active.length > cards.length) blocks.push(context([`…and ${active.length - cards.length} more plays, ranked lower ${statusPointer(mission.id)}`]));
  if (dismissed.length > 0) {
    const lines = dismissed.map((p) => `~${safe(p.title)}~ — ${safe(p.dismissedReason ?? 'dismissed')}`);
    blocks.push(context([fitLines(lines, LIMITS.text, { head: `*Dismissed (${dismissed.length})*`, noun: 'dismissed plays' }).text]));
  }
  const selected = active.find((p) => p.status === 'selected');
  if (planning && selected) {
    blocks.push(
      actions('plays_actions', [
        button({
          text: 'Request approval',
          actionId: ACTION_IDS.requestApproval,
          value: { missionId: mission.id, playId: selected.id, version: mission.version },
          style: 'primary',
        }),
      ]),
    );
  }
  if (active.length === 0) blocks.push(section('_No play is on the table: ask the assistant to propose plays._'));
  const top = active[0];
  const text = `${plural(active.length, 'play')} for “${mission.title}” (${mission.id})${top ? `; top ranked: ${top.title} (confidence ${percent(top.confidence)})` : ''}.`;
  return { text: fallbackText(text), blocks };
}

function playCard(mission: Mission, play: Play, planning: boolean): KnownBlock[] {
  const rejected = [mission.approval, ...mission.approvalHistory].find((r) => r?.playId === play.id && r.status === 'rejected');
  const reason = rejected?.decisions.find((d) => d.decision === 'rejected')?.reason;
  const badge = `${STATUS_BADGE[play.status]}${rejected ? ` · ❌ rejected once${reason ? `: ${safe(reason)}` : ''}` : ''}`;
  const title = `*#${play.rank} ${safe(play.title)}*${badge}\nConfidence ${percent(play.confidence)} · score ${play.score} · library matches ${play.libraryMatchCount} · ${SOURCE_LABEL[play.source]}`;
  const select =
    planning && play.status === 'proposed'
      ? button({ text: 'Select', actionId: ACTION_IDS.playSelect, value: { missionId: mission.id, playId: play.id, version: mission.version } })
      : undefined;
  const phaseLines = play.phases.map((phase, i) => `${i + 1}. ${safe(phase.name)} (${plural(phase.steps.length, 'step')})`);
  const undoLines = play.undoPlan.steps.map((step, i) => `${i + 1}. ${safe(step)}`);
  const risk = play.risk;
  const safeguards = play.safeguardsEnforced.map((sg) => `✓ ${safe(sg)}`);
  return [
    section(fitLines([`_${safe(play.rationale)}_`], LIMITS.text, { head: title }).text, select),
    fieldsSection([
      `*Risk*\n${RISK_LABEL[play.riskLevel]}`,
      `*Complexity*\n${risk.complexity}`,
      `*Impact*\n${risk.impact}`,
      `*Reversibility*\n${risk.reversibility}`,
      `*Test coverage*\n${risk.testCoverage}`,
      `*Estimate*\n${formatMinutes(play.estimatedDurationMinutes)}`,
      ...(play.codeChangePreview
        ? [
            `*Code change*\n${play.codeChangePreview.filesToModify} modified, ${play.codeChangePreview.filesToCreate} created, +${play.codeChangePreview.linesAdded}/−${play.codeChangePreview.linesRemoved} lines`,
          ]
        : []),
      ...(risk.notes ? [`*Notes*\n${safe(risk.notes)}`] : []),
    ]),
    section(fitLines(phaseLines, LIMITS.text, { head: `*Phases (${play.phases.length})*`, noun: 'phases', pointer: statusPointer(mission.id) }).text),
    section(fitLines(undoLines, LIMITS.text, { head: `*Undo plan* — ${safe(play.undoPlan.summary)}`, noun: 'undo steps' }).text),
    context([
      safeguards.length > 0 ? fitLines(safeguards, LIMITS.text, { head: '*Safeguards enforced*', noun: 'safeguards' }).text : '_No safeguards listed._',
    ]),
    planControls(mission, play, planning),
    divider(),
  ];
}

/** View plan (the play whole, in a modal) always; Dismiss while plays are being chosen. */
function planControls(mission: Mission, play: Play, planning: boolean) {
  // View plan carries no version: reading is never stale, and a version would edit this message on every mission change.
  return actions(`play_controls_${play.id}`, [
    button({ text: 'View plan', actionId: ACTION_IDS.playView, value: { missionId: mission.id, playId: play.id } }),
    ...(planning && play.status !== 'approved'
      ? [button({ text: 'Dismiss…', actionId: ACTION_IDS.playDismiss, value: { missionId: mission.id, playId: play.id, version: mission.version } })]
      : []),
  ]);
}
