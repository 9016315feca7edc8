// The approval request: the play, its risk and undo plan, the approvers the policy needs,
// with Approve and Reject while the request is open. After the decision the same message
// says who decided and when, and its buttons are gone.
import type { KnownBlock } from '@slack/types';
import { approvalsGiven, quotaMissing, requestApprovers, type ApprovalDecision, type ApprovalRequest } from '../domain/approvalPolicy.js';
import type { Mission } from '../domain/mission.js';
import { plural } from '../domain/text/englishLists.js';
import { formatMinutes } from '../domain/text/durations.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS, truncate, type SlackMessage } from './blockKitLimits.js';
import { actions, button, fieldsSection, header, section, context } from './blocks.js';
import { mention, RISK_LABEL, safe, slackDate, who, fallbackText } from './format.js';

/** The request the message is about: the current one, or an earlier one by id (its message may still be in the thread). */
export function findApprovalRequest(mission: Mission, requestId?: string): ApprovalRequest | null {
  if (!requestId) return mission.approval;
  if (mission.approval?.id === requestId) return mission.approval;
  return mission.approvalHistory.find((r) => r.id === requestId) ?? null;
}

export function approvalMessage(mission: Mission, requestId?: string): SlackMessage {
  const request = findApprovalRequest(mission, requestId);
  if (!request) {
    return { text: fallbackText(`No approval was requested for ${mission.id}.`), blocks: [section(`No approval was requested for \`${mission.id}\` yet.`)] };
  }
  const play = mission.plays.find((p) => p.id === request.playId);
  const playTitle = play ? play.title : request.playId;
  const given = approvalsGiven(request);
  const blocks: KnownBlock[] = [
    header(`${HEADLINE[request.status]}: ${playTitle}`),
    section(
      `*Mission:* ${safe(mission.title)} (\`${mission.id}\`)\n*Play:* ${safe(playTitle)}` +
        (play ? `\n*Undo plan:* ${safe(play.undoPlan.summary)}` : '') +
        (request.note ? `\n*Note:* ${safe(request.note)}` : ''),
    ),
    fieldsSection([
      `*Risk*\n${RISK_LABEL[request.riskLevel]}`,
      `*Approvals*\n${given} of ${request.required} needed`,
      ...(play ? [`*Estimate*\n${formatMinutes(play.estimatedDurationMinutes)}`, `*Phases*\n${play.phases.length}`] : []),
      `*Requested*\n${who(request.requestedBy)} ${slackDate(request.requestedAt)}`,
      `*Expires*\n${slackDate(request.expiresAt)}`,
    ]),
  ];
  const decisions = request.decisions.map(decisionLine);
  if (request.status === 'requested') {
    const who = whoMayApprove(request);
    const approvers = who
      ? `*Approvers:* ${who} — ${plural(request.required - given, 'more approval')} needed`
      : `*Approvers:* nobody can approve ${request.riskLevel}-risk plays yet. An admin names them with \`mission-control approvers add --risk ${request.riskLevel} U…\` (a Slack user id, or a user group id S…) or sets \`SLACK_APPROVERS\` before the first start; this request can be approved as soon as they are.`;
    blocks.push(section(fitLines(decisions, LIMITS.text, { head: approvers, noun: 'decisions' }).text));
    blocks.push(
      actions(`approval_${request.id}`, [
        button({
          text: 'Approve',
          actionId: ACTION_IDS.approvalApprove,
          value: { missionId: mission.id, requestId: request.id, playId: request.playId },
          style: 'primary',
        }),
        button({
          text: 'Reject',
          actionId: ACTION_IDS.approvalReject,
          value: { missionId: mission.id, requestId: request.id, playId: request.playId },
          style: 'danger',
        }),
        // Approvers see what they approve: the play's phases, undo plan, risk and code change in a modal.
        button({ text: 'View plan', actionId: ACTION_IDS.playView, value: { missionId: mission.id, requestId: request.id, playId: request.playId } }),
      ]),
    );
  } else {
    blocks.push(section(fitLines(decisions, LIMITS.text, { head: outcomeLine(request), noun: 'decisions' }).text));
  }
  const text =
    request.status === 'requested'
      ? `${fallbackText(`Approval needed for “${playTitle}” (${mission.id}): ${request.required - given} more from`)} ${whoMayApprove(request) || 'an approver (none is configured yet)'}`
      : fallbackText(`Approval request for “${playTitle}” (${mission.id}) ${request.status}.`);
  return { text: truncate(text, LIMITS.messageText), blocks };
}

/** People as mentions and user groups as group mentions (members of the group may approve); '' when nobody is named. */
function whoMayApprove(request: ApprovalRequest): string {
  const { people, groups } = requestApprovers(request);
  const who = [...people.map(mention), ...groups.map((g) => `members of <!subteam^${g}>`)].join(', ');
  const owed = quotaMissing(request);
  return who && owed > 0 ? `${who} (at least ${owed} from <!subteam^${request.quota!.groupId}>)` : who;
}

const HEADLINE: Record<ApprovalRequest['status'], string> = {
  requested: 'Approval needed',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Approval expired',
  cancelled: 'Approval cancelled',
};

function decisionLine(d: ApprovalDecision): string {
  const mark = d.decision === 'approved' ? '✅' : '❌';
  return `${mark} ${d.decision === 'approved' ? 'Approved' : 'Rejected'} by ${mention(d.approverId)} ${slackDate(d.at)}${d.reason ? `: ${safe(d.reason)}` : ''}`;
}

function outcomeLine(request: ApprovalRequest): string {
  const at = request.decidedAt ? slackDate(request.decidedAt) : '';
  switch (request.status) {
    case 'approved': {
      const by = request.decisions.filter((d) => d.decision === 'approved').map((d) => mention(d.approverId));
      return by.length > 0
        ? `*Approved* by ${by.join(' and ')} ${at}. Execution has started.`
        : `*Approved* by the approval policy (no approval needed at this risk) ${at}.`;
    }
    case 'rejected': {
      const by = request.decisions.find((d) => d.decision === 'rejected');
      return `*Rejected* by ${by ? mention(by.approverId) : 'an approver'} ${at}. The mission is back to choosing a play.`;
    }
    case 'expired':
      return `*Expired* ${at} with ${approvalsGiven(request)} of ${request.required} approvals. Request approval again.`;
    case 'cancelled':
      return `*Cancelled* ${at}: the mission was cancelled.`;
    case 'requested':
      return '';
  }
}

/** Where the mission an approver is DMed about lives: a channel or DM thread (with a link when known), or nowhere in Slack. */
export interface ApprovalHome {
  channelId: string;
  /** Link to the approval request in the mission's thread. */
  permalink?: string | null;
}

/**
 * The approval request as sent directly to one approver: the same blocks as the thread's
 * message (the same Approve and Reject buttons, decided by the same handlers and checks),
 * after a line saying why this person got it and where the mission lives. Once decided, it
 * shows the outcome without buttons, like the thread's message.
 */
export function approvalDirectMessage(mission: Mission, requestId: string, home: ApprovalHome | null): SlackMessage {
  const base = approvalMessage(mission, requestId);
  const request = findApprovalRequest(mission, requestId);
  const open = request?.status === 'requested';
  const where = !home
    ? 'The mission has no Slack thread: an assistant drives it over MCP, and this message is where you decide.'
    : home.channelId.startsWith('D')
      ? `The requester follows the mission in a direct message with Mission Control${home.permalink ? ` (<${home.permalink}|request>)` : ''}.`
      : `The mission's thread is in <#${home.channelId}>${home.permalink ? ` (<${home.permalink}|request>)` : ''}.`;
  const lead = open ? `You are asked because the approval policy names you as an approver. ${where}` : `This request is closed. ${where}`;
  const [first, ...rest] = base.blocks;
  return {
    text: truncate(open ? `Your approval is requested: ${base.text}` : base.text, LIMITS.messageText),
    blocks: [...(first ? [first] : []), context([lead]), ...rest],
  };
}
