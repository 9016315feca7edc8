// Replies to `/mission help`, `/mission list`, `/mission status <id>`, and the ephemeral usage
// message for an unknown subcommand or an empty intent.
import type { KnownBlock } from '@slack/types';
import { artifactCount } from '../domain/evidence.js';
import { approvalsGiven } from '../domain/approvalPolicy.js';
import { chipOf, CHIP_KINDS, CHIP_LABELS } from '../domain/brief.js';
import { COVERAGE_THRESHOLD, coverageMeter, type Mission, type MissionSummary } from '../domain/mission.js';
import { nextSteps } from '../domain/nextSteps.js';
import { findToolkit } from '../domain/toolkits.js';
import { plural } from '../domain/text/englishLists.js';
import { percent } from '../domain/text/numbers.js';
import { fitLines, LIMITS, truncate, type SlackMessage } from './blockKitLimits.js';
import { context, fieldsSection, header, section } from './blocks.js';
import { ENDED_WORDS, fallbackText, CONFIDENCE_LABEL, mention, RISK_LABEL, safe, slackDate, STATE_LABEL, who } from './format.js';
import { SLACK_CONTROL_FOR_ACTION } from './nextStepControls.js';

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
    text: fallbackText(
      'Mission Control commands: /mission <intent>, /mission list, /mission status <id>, /mission cancel <id>, /mission budget <id> <usd>, /mission help.',
    ),
    blocks: [
      section(`*Mission Control* runs engineering missions with an AI assistant under your team's approval.\n${COMMANDS.join('\n')}`),
      context(['Define → Prepare → Plan & Approve → Execute & Observe → Reflect. Plays run only after the approvers the policy names approve them.']),
    ],
  };
}

/** Ephemeral: what was wrong with the command, and the commands that exist. */
export function usageMessage(problem: string): SlackMessage {
  return {
    text: fallbackText(`${problem} Try /mission help.`),
    blocks: [section(`⚠️ ${safe(problem)}`), section(COMMANDS.join('\n'))],
  };
}

export function missionListMessage(missions: readonly MissionSummary[], opts: { more?: boolean } = {}): SlackMessage {
  if (missions.length === 0) {
    return { text: fallbackText('No missions yet.'), blocks: [section('No missions yet. Start one with `/mission <intent>`.')] };
  }
  const lines = missions.map((m) => `${STATE_LABEL[m.state]} · *${safe(m.title)}* · \`${m.id}\` · by ${who(m.requester)} · updated ${slackDate(m.updatedAt)}`);
  const { text } = fitLines(lines, LIMITS.text, { head: `*Missions (${missions.length}${opts.more ? '+' : ''})*`, noun: 'missions' });
  const blocks: KnownBlock[] = [section(text)];
  if (opts.more) blocks.push(context(['Older missions are not listed.']));
  blocks.push(context(['`/mission status <mission id>` shows one in detail.']));
  return { text: fallbackText(`${plural(missions.length, 'mission')}${opts.more ? ' (more not listed)' : ''}.`), blocks };
}

/** Where a mission stands at any stage, in one message. */
export function missionStatusMessage(mission: Mission): SlackMessage {
  const blocks: KnownBlock[] = [
    header(mission.title),
    context([
      `\`${mission.id}\` · ${STATE_LABEL[mission.state]} · requested by ${who(mission.requester)} ${slackDate(mission.createdAt)} · updated ${slackDate(mission.updatedAt)}`,
    ]),
  ];
  const chipLines = CHIP_KINDS.flatMap((kind) => {
    const chip = chipOf(mission.brief, kind);
    return chip ? [`*${CHIP_LABELS[kind]}* (${CONFIDENCE_LABEL[chip.confidence]}): ${chip.items.map(safe).join('; ')}`] : [];
  });
  blocks.push(
    section(
      fitLines(
        chipLines.map((l) => truncate(l, 600)),
        LIMITS.text,
        { head: `*Brief*${mission.brief.lockedAt ? ' 🔒' : ''}`, noun: 'chips' },
      ).text,
    ),
  );

  const selected = mission.toolkits.filter((t) => t.selected).map((t) => `${findToolkit(t.toolkitId)?.name ?? t.toolkitId} (${t.authStatus})`);
  const play = mission.plays.find((p) => p.status === 'approved') ?? mission.plays.find((p) => p.status === 'selected');
  const request = mission.approval;
  const execution = mission.execution;
  const fields = [
    `*Toolkits*\n${selected.length > 0 ? safe(selected.join(', ')) : 'none selected'} · coverage ${percent(coverageMeter(mission))} of ${percent(COVERAGE_THRESHOLD)}`,
    `*Play*\n${play ? `${safe(play.title)} · ${RISK_LABEL[play.riskLevel]}` : `${plural(mission.plays.filter((p) => p.status !== 'dismissed').length, 'play')} proposed, none selected`}`,
    `*Approval*\n${request ? `${request.status} · ${approvalsGiven(request)} of ${request.required}` : 'not requested'}`,
  ];
  if (execution) {
    const done = execution.phases.filter((p) => p.status === 'completed').length;
    const current = execution.phases.find((p) => p.status === 'running' || p.status === 'failed');
    // A phase still marked running on a mission that ended stopped there.
    const where = !current
      ? ''
      : current.status === 'running' && mission.state !== 'executing'
        ? ` · stopped during ${safe(current.name)}`
        : ` · ${safe(current.name)} ${current.status}`;
    fields.push(`*Execution*\n${done} of ${execution.phases.length} phases completed${where}`);
    const open = execution.alerts.filter((a) => a.type === 'review_required' && a.status === 'open').length;
    fields.push(`*Alerts*\n${open === 0 ? 'none open' : mission.state === 'executing' ? `⚠️ ${open} waiting for review` : `${open} left open`}`);
  }
  fields.push(`*Evidence*\n${plural(artifactCount(mission.evidence), 'artifact')}${mission.evidence.bundle ? ' · bundle sealed' : ''}`);
  if (mission.reflection.feedback) fields.push(`*Feedback*\n${mission.reflection.feedback.rating}/5`);
  if (mission.reflection.followUps.length > 0) fields.push(`*Follow-ups*\n${mission.reflection.followUps.length}`);
  blocks.push(fieldsSection(fields));

  blocks.push(context([nextLine(mission)]));
  return { text: fallbackText(`${mission.title} (${mission.id}): ${mission.state.replace('_', ' ')}.`), blocks };
}

/**
 * What can happen next, from the same next steps MCP offers: each step a person takes names
 * the Slack control that does it (nothing without one is offered), and the steps only an
 * assistant takes are named as such.
 */
function nextLine(mission: Mission): string {
  const outlook = nextSteps(mission);
  if (outlook.steps.length === 0) {
    const ended = ENDED_WORDS[mission.state as keyof typeof ENDED_WORDS];
    return `*Finished:* the mission ${ended ?? 'is over'}; no further steps.`;
  }
  const inSlack: string[] = [];
  const byAssistant: string[] = [];
  for (const step of outlook.steps) {
    const control = step.who === 'assistant' ? null : SLACK_CONTROL_FOR_ACTION[step.action];
    const words = control
      ? control.kind === 'command'
        ? `\`${control.usage(mission.id)}\``
        : `*${control.label}* on ${control.where}${step.people && step.people.length > 0 ? ` (${step.people.map(mention).join(', ')})` : ''}`
      : step.action.replace(/_/g, ' ');
    const list = control ? inSlack : byAssistant;
    if (!list.includes(words)) list.push(words);
  }
  const parts = [`*Next:* ${inSlack.length > 0 ? inSlack.join(' · ') : 'nothing in Slack right now'}`];
  if (byAssistant.length > 0) parts.push(`_by the assistant over MCP:_ ${byAssistant.join(', ')}`);
  return truncate(parts.join('\n'), LIMITS.text);
}
