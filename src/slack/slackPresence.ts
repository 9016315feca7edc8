// The MCP tools' view of a mission in Slack (the SlackPresence port of src/mcp/slackPresence.ts):
// where its thread is and where an approval request went, read from the SlackMessage records
// the projector writes. Delivery itself stays with the durable feed; when this process runs
// the feed worker, request_approval waits a moment for it so the answer can name real messages.
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Mission } from '../domain/mission.js';
import type { ApprovalPostedTo, SlackHomeView, SlackPresence } from '../mcp/slackPresence.js';
import { findApprovalRequest } from './approvalMessage.js';
import type { ApproverDirectory } from './approverDirectory.js';
import { slackHomeOf, type SlackHome, type SlackHomeSettings } from './slackHome.js';
import type { SlackMessageRecord, SlackMessageStore } from './slackMessageStore.js';
import { approverSurfacePrefix, UNCONFIRMED_TS, UNDELIVERABLE } from './slackProjector.js';
import { callSlack } from './slackWebApi.js';

export interface SlackPresenceOptions {
  store: SlackMessageStore;
  client: WebClient;
  home: SlackHomeSettings;
  approverDirectory: ApproverDirectory;
  /** How long request_approval waits for the feed to deliver; 0 when no feed worker runs in this process (stdio). */
  deliveryWaitMs(): number;
  logger: Logger;
  pollMs?: number;
}

const QUEUED = 'Queued: the Slack messages are recorded and are posted by the running `mission-control start` server as soon as Slack answers.';

export class SlackPresenceReader implements SlackPresence {
  constructor(private readonly opts: SlackPresenceOptions) {}

  async home(mission: Mission): Promise<SlackHomeView> {
    return homeView(mission, this.opts.home, await this.opts.store.list(mission.id));
  }

  async approvalDelivery(mission: Mission, requestId: string): Promise<ApprovalPostedTo> {
    const request = findApprovalRequest(mission, requestId);
    const approvers = request && request.status === 'requested' ? await this.opts.approverDirectory(mission, request) : [];
    const surface = `approval:${requestId}`;
    const prefix = approverSurfacePrefix(requestId);
    const settled = (records: SlackMessageRecord[]) => {
      const byKey = new Map(records.map((r) => [r.surface, r]));
      const done = (r: SlackMessageRecord | undefined) => Boolean(r && (r.ts !== UNCONFIRMED_TS || r.contentHash.startsWith(UNDELIVERABLE)));
      const home = slackHomeOf(mission, this.opts.home);
      return (home.kind === 'none' || done(byKey.get(surface))) && approvers.every((u) => done(byKey.get(`${prefix}${u}`)));
    };
    let records = await this.opts.store.list(mission.id);
    // Only an open request is worth waiting for: someone has to be asked.
    const deadline = Date.now() + (request?.status === 'requested' ? this.opts.deliveryWaitMs() : 0);
    while (!settled(records) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.opts.pollMs ?? 100));
      records = await this.opts.store.list(mission.id);
    }
    const home = homeView(mission, this.opts.home, records);
    const message = records.find((r) => r.surface === surface && r.ts !== UNCONFIRMED_TS) ?? null;
    const permalink = message ? await this.permalink(message) : null;
    const recipients = [...new Set([...approvers, ...records.filter((r) => r.surface.startsWith(prefix)).map((r) => r.surface.slice(prefix.length))])];
    const delivered = recipients.map((userId) => {
      const record = records.find((r) => r.surface === `${prefix}${userId}`);
      const undeliverable = record?.contentHash.startsWith(UNDELIVERABLE) ?? false;
      const sent = Boolean(record && record.ts !== UNCONFIRMED_TS && !undeliverable);
      return {
        userId,
        status: undeliverable ? ('undeliverable' as const) : sent ? ('sent' as const) : ('queued' as const),
        channelId: record?.channel || null,
        messageTs: sent ? record!.ts : null,
        error: undeliverable ? record!.contentHash.slice(UNDELIVERABLE.length) : null,
      };
    });
    const notes: string[] = [];
    if (home.kind === 'none') notes.push(home.note);
    else
      notes.push(
        message
          ? `Posted in the mission's thread (${home.kind === 'channel' ? `channel ${home.channelId}` : `DM with ${home.userId ?? 'the requester'}`}).`
          : `To be posted in the mission's thread: ${home.note}`,
      );
    if (recipients.length === 0) {
      notes.push(
        request?.status === 'requested'
          ? "Nobody can approve yet: no approvers are configured, so no one was sent it directly and the request waits. An admin names approvers (SLACK_APPROVERS); the mission's thread says so too."
          : 'The request is already decided; nobody needs to be asked.',
      );
    } else {
      const sent = delivered.filter((d) => d.status === 'sent').length;
      notes.push(`Sent directly to ${sent} of ${recipients.length} approver${recipients.length === 1 ? '' : 's'} with Approve and Reject buttons.`);
      if (delivered.some((d) => d.status === 'undeliverable'))
        notes.push("Slack refused some direct messages (see approvers[].error); those approvers see the request in the mission's thread only.");
    }
    if (delivered.some((d) => d.status === 'queued') || (home.kind !== 'none' && !message)) notes.push(QUEUED);
    return {
      channelId: home.channelId,
      threadTs: home.threadTs,
      home: home.kind,
      messageTs: message?.ts ?? null,
      permalink,
      approvers: delivered,
      note: notes.join(' '),
    };
  }

  private async permalink(record: SlackMessageRecord): Promise<string | null> {
    try {
      const result = await callSlack(`chat.getPermalink (${record.missionId} ${record.surface})`, () =>
        this.opts.client.chat.getPermalink({ channel: record.channel, message_ts: record.ts }),
      );
      return result.permalink ?? null;
    } catch (error) {
      // Ids are enough to find the message; a link is a convenience.
      this.opts.logger.debug({ err: error, missionId: record.missionId }, 'no permalink for the approval message');
      return null;
    }
  }
}

/** The mission's home as delivered (the brief's record) or as planned. */
export function homeView(mission: Mission, settings: SlackHomeSettings, records: readonly SlackMessageRecord[]): SlackHomeView {
  const brief = records.find((r) => r.surface === 'brief');
  // Once the brief is in Slack, where it went is the home (the settings may have changed since).
  const planned = !mission.channelId && brief?.channel ? homeOfPostedBrief(mission, brief.channel, settings) : slackHomeOf(mission, settings);
  const posted = Boolean(brief && brief.ts !== UNCONFIRMED_TS);
  const channelId = mission.channelId ?? (brief?.channel || (planned.kind === 'channel' ? planned.channelId : null));
  const threadTs = mission.threadTs ?? (posted ? brief!.ts : null);
  switch (planned.kind) {
    case 'channel':
      return {
        kind: 'channel',
        channelId,
        threadTs,
        userId: null,
        posted,
        note: planned.why === 'default_channel' ? `A thread in channel ${channelId} (SLACK_DEFAULT_CHANNEL).` : `A thread in channel ${channelId}.`,
      };
    case 'direct_message':
      return {
        kind: 'direct_message',
        channelId,
        threadTs,
        userId: planned.userId,
        posted,
        note: `A thread in a direct message between Mission Control and ${planned.userId} (the person this token acts for; set SLACK_DEFAULT_CHANNEL to use a channel instead).`,
      };
    case 'none':
      return { kind: 'none', channelId: null, threadTs: null, userId: null, posted: false, note: planned.why };
  }
}

function homeOfPostedBrief(mission: Mission, channel: string, settings: SlackHomeSettings): SlackHome {
  if (!channel.startsWith('D'))
    return { kind: 'channel', channelId: channel, threadTs: null, why: channel === settings.defaultChannel ? 'default_channel' : 'mission_channel' };
  const requester = mission.requester;
  return { kind: 'direct_message', userId: requester.kind === 'mcp_token' ? (requester.onBehalfOf ?? '') : requester.id };
}
