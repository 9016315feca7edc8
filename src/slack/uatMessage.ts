// The UAT message: once every planned phase is completed, the thread lists the test cases (the
// play's observable truths, then acceptance criteria they do not state) with Pass and Fail
// buttons; each opens a modal for the note. What a person recorded shows under the item.
// Pure function of mission state.
import type { KnownBlock } from '@slack/types';
import type { Mission } from '../domain/mission.js';
import { uatItems, uatResults } from '../domain/verification.js';
import { ACTION_IDS } from './actionIds.js';
import type { SlackMessage } from './blockKitLimits.js';
import { actions, button, context, header, section } from './blocks.js';
import { fallbackText, safe, slackDate, who } from './format.js';
import { modal, textInput } from './modals.js';
import { INPUT_IDS, VIEW_IDS } from './actionIds.js';
import type { ModalView } from '@slack/types';

/** The work is built: every planned phase completed (UAT tries what was built). */
export function readyForUat(mission: Mission): boolean {
  const execution = mission.execution;
  const play = execution ? mission.plays.find((p) => p.id === execution.playId) : undefined;
  if (!execution || !play || play.phases.length === 0) return false;
  return play.phases.every((phase) => execution.phases.some((p) => p.phaseId === phase.id && p.status === 'completed'));
}

/** At most this many items get buttons (a message holds 50 blocks); UAT.md lists them all. */
const MAX_ITEMS = 15;

export function uatMessage(mission: Mission): SlackMessage {
  const items = uatItems(mission);
  const results = uatResults(mission);
  const open = mission.state === 'executing';
  const passed = items.filter((i) => results.get(i.id)?.outcome === 'pass').length;
  const failed = items.filter((i) => results.get(i.id)?.outcome === 'fail').length;
  const blocks: KnownBlock[] = [
    header('User acceptance test'),
    section(
      `Try each of these on what was built and mark it *Pass* or *Fail* with a note. Truths must pass before the mission can complete; ` +
        'a failed acceptance criterion becomes a follow-up. Only a person can sign off.',
    ),
  ];
  for (const item of items.slice(0, MAX_ITEMS)) {
    const result = results.get(item.id);
    const mark = !result ? '⬜' : result.outcome === 'pass' ? '✅' : '❌';
    const kind = item.source === 'truth' ? 'Truth' : 'Acceptance criterion';
    blocks.push(section(`${mark} *${kind}:* ${safe(item.statement)}\n_${safe(item.prompt)}_`));
    if (result)
      blocks.push(
        context([
          `${result.outcome === 'pass' ? 'Passed' : 'Failed'} · ${who(result.by)} ${slackDate(result.at)}${result.note ? ` · ${safe(result.note)}` : ''}`,
        ]),
      );
    if (open) {
      const value = { missionId: mission.id, uatItemId: item.id };
      blocks.push(
        actions(`uat_${item.id}`, [
          button({
            text: result?.outcome === 'pass' ? 'Pass again' : 'Pass',
            actionId: ACTION_IDS.uatPassOpen,
            value: { ...value, uatOutcome: 'pass' },
            style: 'primary',
          }),
          button({ text: 'Fail…', actionId: ACTION_IDS.uatFailOpen, value: { ...value, uatOutcome: 'fail' }, style: 'danger' }),
        ]),
      );
    }
  }
  if (items.length > MAX_ITEMS) blocks.push(context([`${items.length - MAX_ITEMS} more in UAT.md.`]));
  blocks.push(
    context([
      `\`${mission.id}\` · ${passed} of ${items.length} passed${failed > 0 ? ` · ${failed} failed` : ''}${open ? '' : ` · the mission is ${mission.state.replace('_', ' ')}`}`,
    ]),
  );
  return {
    text: fallbackText(`User acceptance test for ${mission.id}: ${passed} of ${items.length} passed${failed > 0 ? `, ${failed} failed` : ''}.`),
    blocks,
  };
}

/** The note for a Pass or Fail: optional for a pass, required for a fail (the service says so on the field). */
export function uatResultModal(mission: Mission, itemId: string, outcome: 'pass' | 'fail'): ModalView {
  const item = uatItems(mission).find((i) => i.id === itemId);
  const statement = item ? safe(item.statement) : `\`${itemId}\``;
  return modal(
    VIEW_IDS.uatResult,
    outcome === 'pass' ? 'UAT: pass' : 'UAT: fail',
    outcome === 'pass' ? 'Mark passed' : 'Mark failed',
    { missionId: mission.id, uatItemId: itemId, uatOutcome: outcome },
    [
      section(`${outcome === 'pass' ? '✅ *Pass*' : '❌ *Fail*'}: ${statement}${item ? `\n_${safe(item.prompt)}_` : ''}`),
      textInput({
        block: INPUT_IDS.note.block,
        action: INPUT_IDS.note.action,
        label: outcome === 'pass' ? 'What did you try? (optional)' : 'What went wrong?',
        maxLength: 1000,
        multiline: true,
        optional: outcome === 'pass',
      }),
    ],
  );
}
