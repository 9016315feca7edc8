// Replies to `/mission help`, `/mission list`, `/mission status <id>`, and the ephemeral usage
// message for an unknown subcommand or an empty intent.
import type { KnownBlock } from '@slack/types';
import { approvalsGiven } from '../domain/approvalPolicy.js';
import { chipOf, CHIP_KINDS, CHIP_LABELS } from '../domain/brief.js';
import { COVERAGE_THRESHOLD, coverageMeter, type Mission, type MissionSummary } from '../domain/mission.js';
import { allowedActions, type MissionAction } from '../domain/missionStateMachine.js';
import { findToolkit } from '../domain/toolkits.js';
import { fitLines, LIMITS, plural, truncate, type SlackMessage } from './blockKitLimits.js';
import { context, fieldsSection, header, section } from './blocks.js';
import { CONFIDENCE_LABEL, pct, RISK_LABEL, safe, slackDate, STATE_LABEL, who } from './format.js';

const COMMANDS = [
  '`/mission <intent>` — start a mission: describe what should be achieved; a brief is drafted for you to review',
  '`/mission list` — recent missions and their state',
  '`/mission status <mission id>` — where a mission stands and what can happen next',
  '`/mission cancel <mission id>` — cancel a mission (asks for a reason)',
  '`/mission budget <mission id> <usd>` — set the model budget of a mission (execution reports pause while spend is over it)',
  '`/mission help` — this list',
];

export function helpMessage(): SlackMessage {
  return {
    text: 'Mission Control commands: /mission <intent>, /mission list, /mission status <id>, /mission cancel <id>, /mission budget <id> <usd>, /mission help.',
    blocks: [
      section(`*Mission Control* runs engineering missions with an AI assistant under your team's approval.\n${COMMANDS.join('\n')}`),
      context(['Define → Prepare → Plan & Approve → Execute & Observe → Reflect. Plays run only after the approvers the policy names approve them.']),
    ],
  };
}

/** Ephemeral: what was wrong with the command, and the commands that exist. */
export function usageMessage(problem: string): SlackMessage {
  return {
    text: truncate(`${problem} Try /mission help.`, LIMITS.messageText),
    blocks: [section(`⚠️ ${safe(problem)}`), section(COMMANDS.join('\n'))],
  };
}

export function missionListMessage(missions: readonly MissionSummary[], opts: { more?: boolean } = {}): SlackMessage {
  if (missions.length === 0) {
    return { text: 'No missions yet.', blocks: [section('No missions yet. Start one with `/mission <intent>`.')] };
  }
  const lines = missions.map((m) => `${STATE_LABEL[m.state]} · *${safe(m.title)}* · \`${m.id}\` · by ${who(m.requester)} · updated ${slackDate(m.updatedAt)}`);
  const { text } = fitLines(lines, LIMITS.text, { head: `*Missions (${missions.length}${opts.more ? '+' : ''})*`, noun: 'missions' });
  const blocks: KnownBlock[] = [section(text)];
  if (opts.more) blocks.push(context(['Older missions are not listed.']));
  blocks.push(context(['`/mission status <mission id>` shows one in detail.']));
  return { text: `${plural(missions.length, 'mission')}${opts.more ? ' (more not listed)' : ''}.`, blocks };
}

const NEXT_WORDS: Record<MissionAction, string> = {
  lock_brief: 'Accept all on the brief card',
  reopen_brief: 'reopen the brief',
  confirm_toolkits: 'confirm toolkits',
  request_approval: 'select a play and request approval',
  approve: 'approve or reject the play (approvers only)',
  reject: 'reject the play',
  expire_approval: 'let the request expire',
  complete_execution: 'complete once every phase passes its gate',
  roll_back: 'roll back with the undo plan',
  fail: 'mark it failed',
  close: 'give feedback and close the mission',
  cancel: 'cancel',
};

/** Where a mission stands at any stage, in one message. */
export function missionStatusMessage(mission: Mission): SlackMessage {
  const blocks: KnownBlock[] = [
    header(mission.title),
    context([`\`${mission.id}\` · ${STATE_LABEL[mission.state]} · requested by ${who(mission.requester)} ${slackDate(mission.createdAt)} · updated ${slackDate(mission.updatedAt)}`]),
  ];
  const chipLines = CHIP_KINDS.flatMap((kind) => {
    const chip = chipOf(mission.brief, kind);
    return chip ? [`*${CHIP_LABELS[kind]}* (${CONFIDENCE_LABEL[chip.confidence]}): ${chip.items.map(safe).join('; ')}`] : [];
  });
  blocks.push(section(fitLines(chipLines.map((l) => truncate(l, 600)), LIMITS.text, { head: `*Brief*${mission.brief.lockedAt ? ' 🔒' : ''}`, noun: 'chips' }).text));

  const selected = mission.toolkits.filter((t) => t.selected).map((t) => `${findToolkit(t.toolkitId)?.name ?? t.toolkitId} (${t.authStatus})`);
  const play = mission.plays.find((p) => p.status === 'approved') ?? mission.plays.find((p) => p.status === 'selected');
  const request = mission.approval;
  const execution = mission.execution;
  const fields = [
    `*Toolkits*\n${selected.length > 0 ? safe(selected.join(', ')) : 'none selected'} · coverage ${pct(coverageMeter(mission))} of ${pct(COVERAGE_THRESHOLD)}`,
    `*Play*\n${play ? `${safe(play.title)} · ${RISK_LABEL[play.riskLevel]}` : `${plural(mission.plays.filter((p) => p.status !== 'dismissed').length, 'play')} proposed, none selected`}`,
    `*Approval*\n${request ? `${request.status} · ${approvalsGiven(request)} of ${request.required}` : 'not requested'}`,
  ];
  if (execution) {
    const done = execution.phases.filter((p) => p.status === 'completed').length;
    const running = execution.phases.find((p) => p.status === 'running' || p.status === 'failed');
    fields.push(`*Execution*\n${done} of ${execution.phases.length} phases completed${running ? ` · ${safe(running.name)} ${running.status}` : ''}`);
    const open = execution.alerts.filter((a) => a.type === 'review_required' && a.status === 'open').length;
    fields.push(`*Alerts*\n${open > 0 ? `⚠️ ${open} waiting for review` : 'none open'}`);
  }
  fields.push(`*Evidence*\n${plural(mission.evidence.artifacts.length, 'artifact')}${mission.evidence.bundle ? ' · bundle sealed' : ''}`);
  if (mission.reflection.feedback) fields.push(`*Feedback*\n${mission.reflection.feedback.rating}/5`);
  if (mission.reflection.followUps.length > 0) fields.push(`*Follow-ups*\n${mission.reflection.followUps.length}`);
  blocks.push(fieldsSection(fields));

  const next = allowedActions(mission.state).map((a) => NEXT_WORDS[a]);
  blocks.push(context([next.length > 0 ? `*Next:* ${next.join(' · ')}` : '*Finished:* no further steps.']));
  return { text: truncate(`${mission.title} (${mission.id}): ${mission.state.replace('_', ' ')}.`, LIMITS.messageText), blocks };
}
