// The `slack` feed consumer: makes a mission's Slack thread show its current state.
//
// Thread messages are a projection of the mission, not something handlers post: given a
// mission id, the projector renders every surface that should exist, posts the ones not in
// Slack yet and edits the ones whose rendering changed (a sha256 of text and blocks against
// the last delivered hash), in a stable order. It is idempotent, so the feed worker can call
// it again after any failure, and a burst of events is one pass showing the latest state.
// Edits to one message are spaced at least `minEditIntervalMs` apart, and an edit that only moves
// progress along (same headline digest, editPace.ts) at least `progressEditIntervalMs` apart: a
// message edited too recently is left for later and the consumer asks to be called again then
// ({ deferUntil }), so the last state always arrives.
// A post is recorded as intended (an unconfirmed record) before it is sent and carries its
// mission and surface as message metadata, so a process that dies between Slack accepting the
// post and the ts being stored does not post it twice: the next pass finds the message in the
// channel or thread history (conversations.history / conversations.replies) and adopts it.
// A mission without a channel lives where slackHomeOf says (SLACK_DEFAULT_CHANNEL or a DM with
// its requester), and every approval request is also DMed to each approver (projectApproverMessages).
// (Posts go through a client that never retries by itself, so this look-up is the only retry.)
// A message Slack refuses for good is shown in a short version, or posted anew when Slack will
// not edit it, and recorded on the mission; the rest of the thread goes on. A channel the bot
// cannot post in is reported (so the person is told) and parks the mission's delivery.
import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { isMissionError } from '../domain/errors.js';
import type { Mission } from '../domain/mission.js';
import type { FeedClaim } from '../domain/missionFeed.js';
import type { Clock } from '../domain/runtime.js';
import { alertMessage } from './alertMessage.js';
import { readyForUat, uatMessage } from './uatMessage.js';
import { uatItems } from '../domain/verification.js';
import { approvalDirectMessage, approvalMessage } from './approvalMessage.js';
import { approversOfRequest, type ApproverDirectory } from './approverDirectory.js';
import { checkBlockKitLimits, type SlackMessage } from './blockKitLimits.js';
import { briefCard } from './briefCard.js';
import { editDecision, headlineHash, type EditPaceSettings } from './editPace.js';
import { executionStatus, executionStatusHeadline } from './executionStatus.js';
import { runInstructionsMessage } from './runInstructions.js';
import { playsMessage } from './playsMessage.js';
import { reflectionMessage } from './reflectionMessage.js';
import { releaseMessage } from './releaseMessage.js';
import { slackHomeOf, type SlackHomeSettings } from './slackHome.js';
import type { SlackMessageRecord, SlackMessageStore } from './slackMessageStore.js';
import { CHANNEL_UNREACHABLE, CONTENT_REFUSED, NOT_EDITABLE, shorterVersions, slackErrorIn } from './deliveryProblems.js';
import { callSlack, SlackDeliveryError } from './slackWebApi.js';
import { toolkitMessage } from './toolkitMessage.js';

export const SLACK_CONSUMER = 'slack';
/** Default least time between progress-only edits of one message: 100 reports at one a second cost about 10 edits. */
export const DEFAULT_PROGRESS_EDIT_MS = 10_000;
/** The ts of a surface whose post was sent but not confirmed (the process may have died before storing the answer). */
export const UNCONFIRMED_TS = '';
/** Message metadata event type that marks the projector's posts with their mission and surface. */
export const SURFACE_METADATA_TYPE = 'mission_control_surface';
/** contentHash prefix of an approver DM Slack refused for good (the reason follows). */
export const UNDELIVERABLE = 'undeliverable:';

/** Surface keys of the DMs about one approval request: `dm:approval:<requestId>:<userId>`. */
export function approverSurfacePrefix(requestId: string): string {
  return `dm:approval:${requestId}:`;
}

/** Slack errors meaning this person cannot get a DM from the bot; the others fail the delivery as usual. */
const PERSON_UNREACHABLE = new Set([
  'user_not_found',
  'user_not_visible',
  'user_disabled',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'channel_not_found',
  'is_archived',
]);

/** Missions whose records a projector keeps from its own last delivery (a few hundred bytes each). */
const KEPT_DELIVERIES = 1_000;

const surfaceKey = (record: SlackMessageRecord) => `${record.missionId}\u0000${record.surface}`;

/** When the latest of these messages was posted or edited; null for none. */
function latestWrite(records: readonly SlackMessageRecord[]): Date | null {
  let latest: Date | null = null;
  for (const r of records) if (!latest || r.updatedAt > latest) latest = r.updatedAt;
  return latest;
}

function earliest(a: ProjectionResult, b: ProjectionResult): ProjectionResult {
  if (!a) return b;
  if (!b) return a;
  return a.deferUntil <= b.deferUntil ? a : b;
}

export interface Surface {
  key: string;
  render(): SlackMessage;
  /** The facts of this surface a person must see at once (editPace.ts); absent: every change is urgent. */
  urgent?: () => unknown;
}

/** The surfaces a mission's thread shows, in thread order. Once posted, a surface stays and keeps being updated. */
export function surfacesOf(mission: Mission, posted: ReadonlySet<string> = new Set()): Surface[] {
  const surfaces: Surface[] = [{ key: 'brief', render: () => briefCard(mission) }];
  const want = (key: string, condition: boolean, render: () => SlackMessage) => {
    if (condition || posted.has(key)) surfaces.push({ key, render });
  };
  want('toolkits', mission.toolkits.length > 0, () => toolkitMessage(mission));
  want('plays', mission.plays.length > 0, () => playsMessage(mission));
  for (const request of [...mission.approvalHistory, ...(mission.approval ? [mission.approval] : [])]) {
    want(`approval:${request.id}`, true, () => approvalMessage(mission, request.id));
  }
  // Once approved: how the mission runs (Claude Code, and the CI dispatch when configured).
  want('run', mission.execution !== null, () => runInstructionsMessage(mission));
  surfaces[0]!.urgent = () => briefCardHeadline(mission);
  want('status', mission.execution !== null, () => executionStatus(mission));
  const status = surfaces.find((s) => s.key === 'status');
  if (status) status.urgent = () => executionStatusHeadline(mission);
  for (const alert of mission.execution?.alerts ?? []) {
    want(`alert:${alert.id}`, alert.type === 'review_required', () => alertMessage(mission, alert.id));
  }
  // Once every planned phase is completed: the UAT message, where a person signs off truths.
  want('uat', readyForUat(mission) && uatItems(mission).length > 0, () => uatMessage(mission));
  want('reflection', mission.state === 'reflecting' || mission.state === 'done', () => reflectionMessage(mission));
  // Stage 5: deployments GitHub reported, edited live (a new thread reply once the first one arrives).
  want('release', (mission.execution?.release?.deployments.length ?? 0) > 0, () => releaseMessage(mission));
  return surfaces;
}

/** The brief card's urgent facts: all of it but the model spend, which only moves along (a pause over budget is urgent). */
function briefCardHeadline(mission: Mission): unknown {
  return { card: briefCard({ ...mission, models: undefined }), paused: mission.models?.pausedAt ?? null };
}

export function contentHash(message: SlackMessage): string {
  return createHash('sha256')
    .update(JSON.stringify({ text: message.text, blocks: message.blocks }))
    .digest('hex');
}

export interface SlackProjectorOptions {
  /** Loads a mission; null when it does not exist. */
  loadMission(missionId: string, sinceEventSeq?: number): Promise<Mission | null>;
  client: WebClient;
  /** For chat.postMessage: a client that does not retry by itself (POST_RETRY); `client` when not given. */
  postClient?: WebClient;
  store: SlackMessageStore;
  clock: Clock;
  logger: Logger;
  /** Least time between two edits of one message (Slack allows about one per second). */
  minEditIntervalMs?: number;
  /** Least time between an edit and one that only moves progress along (SLACK_PROGRESS_EDIT_MS, default 10 s). */
  progressEditIntervalMs?: number;
  /** Where missions without a channel live (SLACK_DEFAULT_CHANNEL); default: a DM to the person the token acts for. */
  home?: SlackHomeSettings;
  /** Who is DMed each approval request (default: the request's eligible approvers). */
  approverDirectory?: ApproverDirectory;
  /** Told when the bot cannot post in the mission's channel (not a member, channel gone or archived); the delivery is then parked. */
  onChannelUnreachable?: (mission: Mission, slackError: string) => Promise<void>;
  /** Records on the mission that Slack refused a message for good and what was shown instead. */
  recordProblem?: (missionId: string, problem: string) => Promise<void>;
}

// biome-ignore lint/suspicious/noConfusingVoidType: the feed's consumer contract; nothing to defer is a plain return.
export type ProjectionResult = void | { deferUntil: Date };

export class SlackProjector {
  readonly name = SLACK_CONSUMER;
  private readonly pace: EditPaceSettings;
  private readonly home: SlackHomeSettings;
  private readonly approverDirectory: ApproverDirectory;
  /**
   * Each mission's records as this process's last delivery left them, with that delivery's claim
   * number: the next claim, if it is the very next one, starts from them instead of reading them.
   */
  private readonly kept = new Map<string, { claimNumber: number; records: Map<string, SlackMessageRecord> }>();
  /** Edits' records not written yet, by mission and surface: written together at the end of the round (endRound). */
  private readonly unsaved = new Map<string, SlackMessageRecord>();

  constructor(private readonly opts: SlackProjectorOptions) {
    this.pace = { minEditIntervalMs: opts.minEditIntervalMs ?? 1_000, progressEditIntervalMs: opts.progressEditIntervalMs ?? DEFAULT_PROGRESS_EDIT_MS };
    this.home = opts.home ?? { defaultChannel: null };
    this.approverDirectory = opts.approverDirectory ?? approversOfRequest;
  }

  /** FeedWorker entry point: the claim only says which mission changed; the projection always shows its latest state. */
  handle(claim: FeedClaim): Promise<ProjectionResult> {
    return this.project(claim.missionId, claim.eventSeq, claim.claimNumber);
  }

  /**
   * `sinceEventSeq`: a delivery's claim; the state it shows has at least those events (see
   * MissionService.getMissionSince). `claimNumber`: the claim's number (FeedClaim), when a claim
   * leases the delivery.
   */
  async project(missionId: string, sinceEventSeq?: number, claimNumber?: number): Promise<ProjectionResult> {
    const mission = await this.opts.loadMission(missionId, sinceEventSeq);
    if (!mission) return;
    const problems: string[] = [];
    try {
      const outcome = await this.projectSurfaces(mission, problems, claimNumber);
      // Outside a feed round nobody calls endRound: the edits' records are written now.
      if (claimNumber === undefined) await this.endRound();
      return outcome;
    } catch (error) {
      // The edits made before the failure are in Slack: their records too (the failure is what is reported).
      if (claimNumber === undefined)
        await this.endRound().catch((e: unknown) => this.opts.logger.warn({ err: e, missionId }, 'could not record the Slack edits made before a failure'));
      const code = slackErrorIn(error, CHANNEL_UNREACHABLE);
      if (code) await this.opts.onChannelUnreachable?.(mission, code);
      throw error;
    } finally {
      // Never masks the projection's own outcome: a problem that cannot be recorded is logged.
      if (problems.length > 0) {
        await this.opts
          .recordProblem?.(missionId, problems.join('; '))
          .catch((e: unknown) => this.opts.logger.warn({ err: e, missionId, problems }, 'could not record a Slack delivery problem on the mission'));
      }
    }
  }

  private async projectSurfaces(mission: Mission, problems: string[], claimNumber?: number): Promise<ProjectionResult> {
    const missionId = mission.id;
    const records = await this.recordsAt(missionId, claimNumber);
    let threadOutcome: ProjectionResult | undefined;
    let threadFailure: unknown = null;
    try {
      threadOutcome = await this.projectThread(mission, records, problems);
    } catch (error) {
      threadFailure = error;
    }
    // Approvers hear of a request wherever the mission lives, even while its thread cannot be delivered.
    let dmOutcome: ProjectionResult | undefined;
    try {
      dmOutcome = await this.projectApproverMessages(mission, records);
    } catch (error) {
      if (!threadFailure) throw error;
      this.opts.logger.warn({ missionId, err: error }, 'approver direct messages failed too');
    }
    if (threadFailure) throw threadFailure;
    // Kept only after a delivery that went through: a failed one may have written records it never learned of.
    if (claimNumber !== undefined) this.keep(missionId, claimNumber, records);
    return earliest(threadOutcome, dmOutcome);
  }

  /**
   * The mission's records for the delivery under claim `claimNumber`. Only the delivery holding
   * a mission's claim writes its records, so when this process made the delivery under the claim
   * just before, its copy is what is stored; otherwise (another instance, a restart, a failure,
   * no claim) they are read.
   */
  private async recordsAt(missionId: string, claimNumber: number | undefined): Promise<Map<string, SlackMessageRecord>> {
    const kept = this.kept.get(missionId);
    this.kept.delete(missionId);
    if (kept && claimNumber !== undefined && kept.claimNumber === claimNumber - 1) return kept.records;
    return new Map((await this.opts.store.list(missionId)).map((r) => [r.surface, r]));
  }

  private keep(missionId: string, claimNumber: number, records: Map<string, SlackMessageRecord>): void {
    this.kept.set(missionId, { claimNumber, records });
    if (this.kept.size > KEPT_DELIVERIES) this.kept.delete(this.kept.keys().next().value!);
  }

  /** Writes a surface's record and keeps `records` (this delivery's copy) the same, so later passes need not read them again. */
  private async remember(records: Map<string, SlackMessageRecord>, record: SlackMessageRecord): Promise<void> {
    this.unsaved.delete(surfaceKey(record));
    await this.opts.store.put(record);
    records.set(record.surface, { ...record });
  }

  /**
   * An edit's record: kept in `records` now and written with the round's other edits when the
   * round ends (endRound), one statement for all. Unlike a post's, losing it (a crash before then)
   * costs only an edit to the same content on the next delivery.
   */
  private rememberEdit(records: Map<string, SlackMessageRecord>, record: SlackMessageRecord): void {
    records.set(record.surface, { ...record });
    this.unsaved.set(surfaceKey(record), { ...record });
  }

  /**
   * FeedConsumer: the round's deliveries are done; writes the records of the edits they made.
   * When that fails, what this process kept of those missions is not what is stored: forgotten.
   */
  async endRound(): Promise<void> {
    if (this.unsaved.size === 0) return;
    const records = [...this.unsaved.values()];
    this.unsaved.clear();
    try {
      await this.opts.store.putAll(records);
    } catch (error) {
      for (const r of records) this.kept.delete(r.missionId);
      throw error;
    }
  }

  /** The mission's thread: brief card first, every other surface in its thread. */
  private async projectThread(mission: Mission, records: Map<string, SlackMessageRecord>, problems: string[]): Promise<ProjectionResult> {
    const missionId = mission.id;
    const channel = await this.homeChannel(mission, records);
    // No channel, no default channel, nobody to DM: no thread (approvers are still DMed).
    if (!channel) return;
    let thread = mission.threadTs ?? (records.get('brief')?.ts || null);
    let deferUntil: Date | null = null;
    const later = (until: Date) => {
      if (!deferUntil || until < deferUntil) deferUntil = until;
    };
    // One progress-only edit per thread per progress interval, counted from the thread's latest write.
    const threadWrittenAt = latestWrite([...records.values()].filter((r) => !r.surface.startsWith('dm:') && r.ts !== UNCONFIRMED_TS));
    let wroteThisPass = false;
    const progressDue: Array<{ record: SlackMessageRecord; message: SlackMessage; hash: string; headline: string }> = [];

    for (const surface of surfacesOf(mission, new Set(records.keys()))) {
      const message = surface.render();
      const hash = contentHash(message);
      const headline = headlineHash(message, surface.urgent ? surface.urgent() : null);
      const record = records.get(surface.key);
      const confirmed = record && record.ts !== UNCONFIRMED_TS ? record : undefined;
      const decision = confirmed
        ? editDecision(confirmed, { contentHash: hash, headlineHash: headline }, this.opts.clock.now(), this.pace, threadWrittenAt)
        : null;
      if (decision?.kind === 'unchanged') continue;
      if (confirmed && decision?.kind === 'edit' && !decision.urgent) {
        progressDue.push({ record: confirmed, message, hash, headline });
        continue;
      }
      const violations = checkBlockKitLimits(message);
      if (violations.length > 0)
        this.opts.logger.warn({ missionId, surface: surface.key, violations }, 'Slack surface breaks Block Kit limits; Slack may refuse it');
      const isBrief = surface.key === 'brief';
      if (!isBrief && !thread) break; // cannot happen once the brief is posted; never post outside the thread

      if (confirmed) {
        if (decision?.kind === 'wait') {
          later(decision.until);
          continue;
        }
        wroteThisPass = true;
        if (await this.updateOrShorten(confirmed, message, problems)) {
          this.rememberEdit(records, { ...confirmed, contentHash: hash, headlineHash: headline, updatedAt: this.opts.clock.now() });
          continue;
        }
        // The message was deleted in Slack, or can no longer be edited: post it again.
      }
      wroteThisPass = true;
      const threadTs = isBrief ? mission.threadTs : thread;
      // Sent before without a confirmation: adopt the message if Slack has it (brought up to date), else post.
      let ts = record && !confirmed ? await this.findPosted(channel, threadTs, missionId, surface.key) : null;
      if (ts && !(await this.updateOrShorten({ ...record!, ts }, message, problems))) ts = null;
      if (!ts) {
        await this.remember(records, {
          missionId,
          surface: surface.key,
          channel,
          ts: UNCONFIRMED_TS,
          contentHash: '',
          headlineHash: '',
          updatedAt: this.opts.clock.now(),
        });
        ts = await this.postOrShorten(channel, threadTs, message, missionId, surface.key, problems);
      }
      await this.remember(records, {
        missionId,
        surface: surface.key,
        channel,
        ts,
        contentHash: hash,
        headlineHash: headline,
        updatedAt: this.opts.clock.now(),
      });
      // A new card (first post, or the old one was deleted) is the thread from now on.
      if (isBrief && !mission.threadTs) thread = ts;
    }

    // Progress: the message whose last edit is oldest goes now, unless this pass wrote already; the rest wait an interval.
    const nextProgress = new Date(this.opts.clock.now().getTime() + Math.max(this.pace.minEditIntervalMs, this.pace.progressEditIntervalMs));
    progressDue.sort((a, b) => a.record.updatedAt.getTime() - b.record.updatedAt.getTime());
    const first = wroteThisPass ? undefined : progressDue.shift();
    if (first) {
      if (await this.updateOrShorten(first.record, first.message, problems)) {
        this.rememberEdit(records, { ...first.record, contentHash: first.hash, headlineHash: first.headline, updatedAt: this.opts.clock.now() });
      } else {
        // Deleted in Slack or no longer editable: forget what it showed, so the next pass posts it again at once.
        await this.remember(records, { ...first.record, contentHash: '', headlineHash: '' });
        later(this.opts.clock.now());
      }
    }
    if (progressDue.length > 0) later(nextProgress);
    return deferUntil ? { deferUntil } : undefined;
  }

  /**
   * The channel the mission's thread is in: its own, the one its brief was first posted in
   * (so a later change of SLACK_DEFAULT_CHANNEL does not move it), SLACK_DEFAULT_CHANNEL, or a
   * DM with the person its token acts for; null when it has none (see slackHomeOf).
   */
  private async homeChannel(mission: Mission, records: Map<string, SlackMessageRecord>): Promise<string | null> {
    if (mission.channelId) return mission.channelId;
    const brief = records.get('brief');
    if (brief?.channel) return brief.channel;
    const home = slackHomeOf(mission, this.home);
    if (home.kind === 'channel') return home.channelId;
    if (home.kind === 'direct_message') return this.openDirectMessage(home.userId, mission.id);
    return null;
  }

  /** The DM channel with a person (conversations.open is idempotent: the same channel every time). */
  private async openDirectMessage(userId: string, missionId: string): Promise<string> {
    const result = await callSlack(`conversations.open (${missionId} ${userId})`, () => this.opts.client.conversations.open({ users: userId }));
    const id = result.channel?.id;
    if (!id) throw new SlackDeliveryError(`conversations.open (${missionId} ${userId}): Slack returned no channel`);
    return id;
  }

  /**
   * Each eligible approver gets each approval request in a DM with the same Approve and Reject
   * buttons as the thread; when the request is decided, expires or is cancelled, the DMs are
   * edited to the outcome (buttons gone). Exactly one DM per approver and request: the post is
   * recorded as intended first and carries its surface as metadata, so a retry after a crash
   * finds it in the DM's history instead of posting again. A request closed before its DM was
   * sent is never sent. A person Slack will not let the bot DM is recorded as undeliverable.
   */
  private async projectApproverMessages(mission: Mission, records: Map<string, SlackMessageRecord>): Promise<ProjectionResult> {
    const requests = [...mission.approvalHistory, ...(mission.approval ? [mission.approval] : [])];
    if (requests.length === 0) return;
    // `records` has what the thread pass just wrote too (the brief: the DMs say where the mission lives).
    const homeChannel = mission.channelId ?? (records.get('brief')?.channel || null);
    const home = homeChannel ? { channelId: homeChannel } : null;
    let deferUntil: Date | null = null;
    for (const request of requests) {
      const prefix = approverSurfacePrefix(request.id);
      const already = [...records.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
      const approvers = request.status === 'requested' ? await this.approverDirectory(mission, request) : [];
      for (const userId of [...new Set([...approvers, ...already])]) {
        const key = `${prefix}${userId}`;
        const record = records.get(key);
        if (record?.contentHash.startsWith(UNDELIVERABLE)) continue;
        const open = request.status === 'requested';
        const message = approvalDirectMessage(mission, request.id, home);
        const hash = contentHash(message);
        // Everything in an approval request is urgent: no progress pacing.
        const headline = headlineHash(message, null);
        const confirmed = record && record.ts !== UNCONFIRMED_TS ? record : undefined;
        const decision = confirmed ? editDecision(confirmed, { contentHash: hash, headlineHash: headline }, this.opts.clock.now(), this.pace) : null;
        if (decision?.kind === 'unchanged') continue;
        if (confirmed) {
          if (decision?.kind === 'wait') {
            if (!deferUntil || decision.until < deferUntil) deferUntil = decision.until;
            continue;
          }
          if ((await this.update(confirmed, message)) || !open) {
            // Edited; or deleted in Slack after the request closed, when there is nothing left to ask.
            this.rememberEdit(records, { ...confirmed, contentHash: hash, headlineHash: headline, updatedAt: this.opts.clock.now() });
            continue;
          }
        }
        // Never posted (or sent without a confirmation): adopt it if Slack has it, else post while the request is open.
        if (!record && !open) continue;
        try {
          const channel = record?.channel || (await this.openDirectMessage(userId, mission.id));
          let ts = record && !confirmed ? await this.findPosted(channel, null, mission.id, key) : null;
          if (ts && !(await this.update({ ...record!, channel, ts }, message))) ts = null;
          if (!ts && !open) {
            await this.remember(records, {
              missionId: mission.id,
              surface: key,
              channel,
              ts: UNCONFIRMED_TS,
              contentHash: `${UNDELIVERABLE}closed_before_sent`,
              headlineHash: '',
              updatedAt: this.opts.clock.now(),
            });
            continue;
          }
          if (!ts) {
            await this.remember(records, {
              missionId: mission.id,
              surface: key,
              channel,
              ts: UNCONFIRMED_TS,
              contentHash: '',
              headlineHash: '',
              updatedAt: this.opts.clock.now(),
            });
            ts = await this.post(channel, null, message, mission.id, key);
          }
          await this.remember(records, {
            missionId: mission.id,
            surface: key,
            channel,
            ts,
            contentHash: hash,
            headlineHash: headline,
            updatedAt: this.opts.clock.now(),
          });
        } catch (error) {
          if (!(error instanceof SlackDeliveryError && error.slackError && PERSON_UNREACHABLE.has(error.slackError))) throw error;
          this.opts.logger.warn(
            { missionId: mission.id, approver: userId, slackError: error.slackError },
            'Slack will not deliver a direct message to this approver; the request is still in the mission thread',
          );
          await this.remember(records, {
            missionId: mission.id,
            surface: key,
            channel: record?.channel ?? '',
            ts: UNCONFIRMED_TS,
            contentHash: `${UNDELIVERABLE}${error.slackError}`,
            headlineHash: '',
            updatedAt: this.opts.clock.now(),
          });
        }
      }
    }
    return deferUntil ? { deferUntil } : undefined;
  }

  private async post(channel: string, threadTs: string | null, message: SlackMessage, missionId: string, surface: string): Promise<string> {
    const result = await callSlack(`chat.postMessage (${missionId} ${surface})`, () =>
      (this.opts.postClient ?? this.opts.client).chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: SURFACE_METADATA_TYPE, event_payload: { mission_id: missionId, surface } },
      }),
    );
    if (!result.ts) throw new SlackDeliveryError(`chat.postMessage (${missionId} ${surface}): Slack returned no ts`);
    return result.ts;
  }

  /** The ts of this surface's message in the thread (or, for a brief without one, the channel), found by its metadata; null when Slack has none. */
  private async findPosted(channel: string, threadTs: string | null, missionId: string, surface: string): Promise<string | null> {
    const what = `${threadTs ? 'conversations.replies' : 'conversations.history'} (${missionId} ${surface})`;
    try {
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const params = { channel, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
        const result = await callSlack(what, () =>
          threadTs ? this.opts.client.conversations.replies({ ...params, ts: threadTs }) : this.opts.client.conversations.history(params),
        );
        const found = result.messages?.find((m) => {
          const payload = m.metadata?.event_payload as Record<string, unknown> | undefined;
          return m.metadata?.event_type === SURFACE_METADATA_TYPE && payload?.mission_id === missionId && payload?.surface === surface;
        });
        if (found?.ts) return found.ts;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || !cursor) return null;
      }
      return null;
    } catch (error) {
      // Without history access (scope, membership) or with the thread gone there is nothing to adopt: posting again is the lesser harm.
      if (error instanceof SlackDeliveryError && (error.permanent || error.slackError === 'thread_not_found')) {
        this.opts.logger.warn({ missionId, surface, err: error }, 'could not look for an unconfirmed Slack post; posting it again');
        return null;
      }
      throw error;
    }
  }

  /** False when the message no longer exists in Slack, or can no longer be edited (then it is posted anew). */
  private async update(record: SlackMessageRecord, message: SlackMessage, problems?: string[]): Promise<boolean> {
    try {
      await callSlack(`chat.update (${record.missionId} ${record.surface})`, () =>
        this.opts.client.chat.update({ channel: record.channel, ts: record.ts, text: message.text, blocks: message.blocks }),
      );
      return true;
    } catch (error) {
      if (error instanceof SlackDeliveryError && error.slackError === 'message_not_found') return false;
      const code = slackErrorIn(error, NOT_EDITABLE);
      if (code && problems) {
        problems.push(`Slack would not edit the ${record.surface} message (${code}); it was posted anew`);
        return false;
      }
      throw error;
    }
  }

  // One message Slack refuses for good (too long, invalid blocks) is shown shorter instead of
  // stopping the whole thread; the stored hash stays the full rendering's, so it is not retried
  // until the mission changes, and the problem is recorded on the mission.

  private async updateOrShorten(record: SlackMessageRecord, message: SlackMessage, problems: string[]): Promise<boolean> {
    return this.shortenIfRefused(message, record.missionId, record.surface, problems, (m) => this.update(record, m, problems));
  }

  private postOrShorten(
    channel: string,
    threadTs: string | null,
    message: SlackMessage,
    missionId: string,
    surface: string,
    problems: string[],
  ): Promise<string> {
    return this.shortenIfRefused(message, missionId, surface, problems, (m) => this.post(channel, threadTs, m, missionId, surface));
  }

  private async shortenIfRefused<T>(
    message: SlackMessage,
    missionId: string,
    surface: string,
    problems: string[],
    send: (m: SlackMessage) => Promise<T>,
  ): Promise<T> {
    try {
      return await send(message);
    } catch (error) {
      const code = slackErrorIn(error, CONTENT_REFUSED);
      if (!code) throw error;
      for (const shorter of shorterVersions(message, missionId, code)) {
        try {
          const sent = await send(shorter);
          problems.push(`Slack refused the ${surface} message (${code}); a short version is shown`);
          this.opts.logger.warn({ missionId, surface, slackError: code }, 'Slack refused a message; posted a short version');
          return sent;
        } catch (retryError) {
          if (!slackErrorIn(retryError, CONTENT_REFUSED)) throw retryError;
        }
      }
      throw error;
    }
  }
}

/** loadMission over MissionService.getMission: a missing mission is null, other errors propagate. */
export function missionLoader(
  getMission: (input: { missionId: string }, sinceEventSeq?: number) => Promise<Mission>,
): (missionId: string, sinceEventSeq?: number) => Promise<Mission | null> {
  return async (missionId, sinceEventSeq) => {
    try {
      return await getMission({ missionId }, sinceEventSeq);
    } catch (error) {
      if (isMissionError(error) && error.code === 'mission_not_found') return null;
      throw error;
    }
  };
}
