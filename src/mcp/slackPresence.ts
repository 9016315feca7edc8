// What the MCP tools say about a mission's place in Slack: where its thread is (start_mission)
// and where an approval request went (request_approval). The Slack front door implements the
// port (src/slack/slackPresence.ts); without Slack, the tools say so and how to turn it on.
import { z } from 'zod';
import type { Mission } from '../domain/mission.js';

export const slackHomeView = z.object({
  kind: z
    .enum(['channel', 'direct_message', 'none'])
    .describe('channel: a thread in a channel; direct_message: a thread in a DM between Mission Control and the requester; none: no thread in Slack'),
  channelId: z.string().nullable().describe('The channel (C…) or DM (D…) id of the thread, once known'),
  threadTs: z.string().nullable().describe("The thread (the brief card's ts), once posted"),
  userId: z.string().nullable().describe('The Slack user the mission is DMed to (direct_message)'),
  posted: z.boolean().describe('Whether the brief card is already in Slack (delivery is durable and may lag while Slack is unreachable)'),
  note: z.string().describe('Where the mission lives in words, and what to change when it lives nowhere'),
});
export type SlackHomeView = z.infer<typeof slackHomeView>;

export const approverDelivery = z.object({
  userId: z.string(),
  status: z
    .enum(['sent', 'queued', 'undeliverable'])
    .describe('sent: the DM is in Slack; queued: it will be posted when Slack answers; undeliverable: Slack refused it (see error)'),
  channelId: z.string().nullable(),
  messageTs: z.string().nullable(),
  error: z.string().nullable(),
});

export const approvalPostedTo = z.object({
  channelId: z.string().nullable().describe("The channel (C…) or DM (D…) of the mission's thread; null when it has none"),
  threadTs: z.string().nullable(),
  home: slackHomeView.shape.kind,
  messageTs: z.string().nullable().describe("The approval request's message in the thread, once posted"),
  permalink: z.string().nullable().describe('Link to the approval request in the thread, once posted'),
  approvers: z.array(approverDelivery).describe('Each eligible approver, sent the request directly with Approve and Reject buttons'),
  note: z.string(),
});
export type ApprovalPostedTo = z.infer<typeof approvalPostedTo>;

/** Implemented by the Slack front door. */
export interface SlackPresence {
  home(mission: Mission): Promise<SlackHomeView>;
  /** Where approval request `requestId` was posted; waits briefly for the delivery when this process delivers. */
  approvalDelivery(mission: Mission, requestId: string): Promise<ApprovalPostedTo>;
}

const SLACK_OFF = 'Slack is not configured on this server (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN), so nobody is notified in Slack.';

/** What the tools say when this process has no Slack front door. */
export function homeWithoutSlack(mission: Mission): SlackHomeView {
  return {
    kind: mission.channelId ? 'channel' : 'none',
    channelId: mission.channelId,
    threadTs: mission.threadTs,
    userId: null,
    posted: false,
    note: SLACK_OFF,
  };
}

export function postedToWithoutSlack(mission: Mission): ApprovalPostedTo {
  return {
    channelId: mission.channelId,
    threadTs: mission.threadTs,
    home: mission.channelId ? 'channel' : 'none',
    messageTs: null,
    permalink: null,
    approvers: [],
    note: `${SLACK_OFF} Ask an approver to approve it in Slack once it is set up.`,
  };
}
