// The `trackers` feed consumer: whenever a mission has events this consumer has not handled,
// it files each follow-up that has no issue yet in its tracker and records the issue on the
// mission (as the connector, a system actor), and moves a linked Linear issue to the state
// that matches the mission. Every step is idempotent, so the feed worker may run it again
// after a failure or a restart: follow-ups that could not be sent stay unsent on the
// mission and are sent on a later run, when the tracker answers.
import type { Logger } from 'pino';
import type { Actor } from '../domain/actors.js';
import type { FeedClaim } from '../domain/missionFeed.js';
import type { MissionService } from '../domain/missionService.js';
import { followUpIdempotencyKey, linkedIssueStageOf, type FollowUpTracker, type LinkedIssueTracker } from '../domain/trackers.js';
import { ConnectorError } from './connectorError.js';

export const TRACKERS_CONSUMER = 'trackers';

export const CONNECTOR_ACTORS: Record<'linear' | 'github', Actor> = {
  linear: { kind: 'system', id: 'linear-connector' },
  github: { kind: 'system', id: 'github-connector' },
};

export interface TrackerSyncOptions {
  service: MissionService;
  trackers: Partial<Record<'linear' | 'github', FollowUpTracker>>;
  linkedIssues?: LinkedIssueTracker | undefined;
  logger: Logger;
}

export interface TrackerSyncReport {
  filed: Array<{ followUpId: string; externalId: string }>;
  moved: string | null;
  failures: ConnectorError[];
  /** Tracker toolkits the mission showed as degraded before this pass. */
  degradedBefore: string[];
}

export class TrackerSync {
  readonly name = TRACKERS_CONSUMER;
  constructor(private readonly options: TrackerSyncOptions) {}

  /** The feed worker's entry point: throws when something is left to send, so the worker retries later. */
  async handle(claim: Pick<FeedClaim, 'missionId'> & Partial<Pick<FeedClaim, 'eventSeq'>>): Promise<void> {
    const report = await this.sync(claim.missionId, claim.eventSeq);
    await this.reportHealth(claim.missionId, report);
    if (report.failures.length > 0) {
      const first = report.failures[0]!;
      const waits = report.failures.map((f) => f.retryAfterMs).filter((w): w is number => w !== null);
      // The longest wait any API asked for, so the retry does not arrive early.
      throw new ConnectorError(
        first.toolkitId,
        first.failure,
        report.failures.map((f) => f.message).join('; '),
        first.status,
        waits.length > 0 ? Math.max(...waits) : null,
      );
    }
  }

  /** The mission shows a tracker that keeps failing as degraded, and ready again once it answers. */
  private async reportHealth(missionId: string, report: TrackerSyncReport): Promise<void> {
    const { service, logger } = this.options;
    const failing = new Map(report.failures.map((f) => [f.toolkitId, f]));
    try {
      for (const [toolkitId, failure] of failing) {
        const actor = CONNECTOR_ACTORS[toolkitId as keyof typeof CONNECTOR_ACTORS] ?? CONNECTOR_ACTORS.linear;
        await service.recordConnectorFailure({ missionId, toolkitId, operation: 'sync follow-ups and linked issue', error: failure.message }, actor);
      }
      for (const toolkitId of report.degradedBefore.filter((t) => !failing.has(t))) {
        await service.recordConnectorRecovered(
          { missionId, toolkitId },
          CONNECTOR_ACTORS[toolkitId as keyof typeof CONNECTOR_ACTORS] ?? CONNECTOR_ACTORS.linear,
        );
      }
    } catch (error) {
      logger.warn({ missionId, err: error }, 'could not record tracker health on the mission');
    }
  }

  /** `sinceEventSeq`: a delivery's claim; the state synced has at least those events (see MissionService.getMissionSince). */
  async sync(missionId: string, sinceEventSeq?: number): Promise<TrackerSyncReport> {
    const { service, trackers, logger } = this.options;
    const mission = sinceEventSeq === undefined ? await service.getMission({ missionId }) : await service.getMissionSince({ missionId }, sinceEventSeq);
    const report: TrackerSyncReport = {
      filed: [],
      moved: null,
      failures: [],
      degradedBefore: mission.toolkits
        .filter((t) => t.authStatus === 'degraded' && (t.toolkitId === 'linear' || t.toolkitId === 'github'))
        .map((t) => t.toolkitId),
    };
    for (const followUp of mission.reflection.followUps) {
      if (followUp.externalId !== null || followUp.tracker === null || followUp.status === 'cancelled') continue;
      const tracker = trackers[followUp.tracker];
      if (!tracker) continue;
      try {
        const issue = await tracker.fileIssue(followUp, mission, followUpIdempotencyKey(mission.id, followUp.id));
        await service.recordFollowUpIssue(
          { missionId, followUpId: followUp.id, externalId: issue.externalId, url: issue.url, tracker: tracker.tracker },
          CONNECTOR_ACTORS[tracker.tracker],
        );
        report.filed.push({ followUpId: followUp.id, externalId: issue.externalId });
      } catch (error) {
        const failure = asConnectorError(error, tracker.tracker);
        logger.warn(
          { missionId, followUpId: followUp.id, tracker: tracker.tracker, failure: failure.failure, status: failure.status, err: failure },
          'follow-up not filed yet; it stays queued',
        );
        report.failures.push(failure);
      }
    }
    const linked = this.options.linkedIssues;
    const stage = linkedIssueStageOf(mission.state);
    const issue = linked?.linkedIssueOf(mission);
    if (linked && issue && stage) {
      try {
        report.moved = await linked.moveIssue(issue, stage);
        if (report.moved) logger.info({ missionId, issue, state: report.moved }, 'linked Linear issue moved');
      } catch (error) {
        const failure = asConnectorError(error, 'linear');
        logger.warn({ missionId, issue, stage, failure: failure.failure, err: failure }, 'linked issue not moved yet');
        report.failures.push(failure);
      }
    }
    return report;
  }
}

function asConnectorError(error: unknown, toolkitId: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  return new ConnectorError(toolkitId, 'unavailable', error instanceof Error ? error.message : String(error));
}
