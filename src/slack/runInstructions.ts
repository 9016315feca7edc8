// How an approved mission gets done, posted in its thread once execution starts: the exact
// line to give Claude Code (or its run_mission prompt), and, when a CI executor is configured,
// where the mission was dispatched (GitHub Actions) or why it could not be, in words.
import type { KnownBlock } from '@slack/types';
import { dispatchOf, type ExecutorDispatch } from '../domain/executorDispatch.js';
import type { Mission } from '../domain/mission.js';
import { fitLines, LIMITS, truncate, type SlackMessage } from './blockKitLimits.js';
import { context, header, section } from './blocks.js';
import { fallbackText, link, safe, slackDate } from './format.js';

/** What to type in Claude Code (with this server added as `mission-control`). */
export function claudeCodeInstruction(missionId: string): string {
  return `Run Mission Control mission ${missionId} (use the mission-control MCP server)`;
}

export function runInstructionsMessage(mission: Mission): SlackMessage {
  const play = mission.plays.find((p) => p.id === mission.execution?.playId);
  const dispatch = dispatchOf(mission);
  const running = mission.state === 'executing';
  const inCi = running && (dispatch?.status === 'requested' || dispatch?.status === 'dispatched');
  const blocks: KnownBlock[] = [
    header(running ? 'How this mission runs' : 'How this mission ran'),
    section(
      (running
        ? `*${safe(play?.title ?? 'The approved play')}* is approved. An assistant carries it out through Mission Control and reports every phase, test run and piece of evidence here.\n\n`
        : `*${safe(play?.title ?? 'The approved play')}* was approved and carried out through Mission Control; to continue its reports:\n\n`) +
        `*From Claude Code* (with the \`mission-control\` MCP server added)${inCi ? ', only if the CI run below does not take it (two executors would report over each other)' : ''}, say:\n\`${claudeCodeInstruction(mission.id)}\`\n` +
        `or use the prompt \`/mcp__mission-control__run_mission ${mission.id}\`.`,
    ),
    dispatchBlock(dispatch, running),
  ];
  if (running) blocks.push(context([`Nothing runs before approval, and the assistant cannot approve. \`/mission status ${mission.id}\` shows where it is.`]));
  const ci = !dispatch
    ? ''
    : dispatch.status === 'dispatched'
      ? ' Dispatched to GitHub Actions.'
      : dispatch.status === 'failed'
        ? ' Dispatch to GitHub Actions failed.'
        : ' Dispatching to GitHub Actions.';
  return { text: fallbackText(truncate(`How to run ${mission.id}: in Claude Code, "${claudeCodeInstruction(mission.id)}".${ci}`, LIMITS.messageText)), blocks };
}

function dispatchBlock(dispatch: ExecutorDispatch | null, running: boolean): KnownBlock {
  if (!dispatch)
    return context([
      '*In CI:* no executor dispatched this mission (an operator can set `GITHUB_EXECUTOR_WORKFLOW` to run approved missions in GitHub Actions).',
    ]);
  const where = `\`${safe(dispatch.workflow)}\` on \`${safe(dispatch.repository)}\`${dispatch.ref ? ` (ref \`${safe(dispatch.ref)}\`)` : ''}`;
  switch (dispatch.status) {
    case 'requested':
      return section(
        running
          ? `*In CI:* ⏳ dispatching GitHub Actions workflow ${where}…`
          : `*In CI:* GitHub Actions workflow ${where} was not dispatched: the mission ended first.`,
      );
    case 'dispatched':
      return section(
        `*In CI:* ✅ GitHub Actions workflow ${where} was dispatched ${slackDate(dispatch.decidedAt ?? dispatch.requestedAt)}: ${link(dispatch.runsUrl, 'its runs')}. The agent there reports back to this thread.`,
      );
    case 'failed':
      return section(
        fitLines(
          [`❌ ${safe(dispatch.error ?? 'no reason given')}`, 'Run it from Claude Code as above instead, or fix the cause for the next mission.'],
          LIMITS.text,
          { head: `*In CI:* GitHub Actions could not be dispatched${dispatch.workflow === '(not dispatched)' ? '' : ` (${where})`}.` },
        ).text,
      );
  }
}
