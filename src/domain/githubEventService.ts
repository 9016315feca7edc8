// Applies a GitHub event to every mission it concerns, and closes release monitoring windows
// whose time is up. Thin: finding missions and saving through MissionService.mutate; the rules
// are githubEvents.ts and releaseRules.ts.
import type { Actor } from './actors.js';
import { isMissionError } from './errors.js';
import { applyGitHubEvent, eventConcernsMission, missionIdsNamedIn, type GitHubEvent } from './githubEvents.js';
import type { Mission } from './mission.js';
import type { MissionService } from './missionService.js';
import type { MissionState } from './missionStateMachine.js';
import { closeMonitoringWindow } from './releaseRules.js';

/** Missions GitHub events can change: executing (pull request, checks, reviews, preview) and reflecting (merge, production release). */
const FOLLOWING: readonly MissionState[] = ['executing', 'reflecting'];

export interface GitHubEventOutcome {
  /** Missions the event changed. */
  applied: string[];
  /** Missions it concerns that it did not change (already known, or refused, with why). */
  unchanged: Array<{ missionId: string; reason: string }>;
}

export class GitHubEventService {
  constructor(
    private readonly service: MissionService,
    /** How long production is watched after it deploys (undo stays available meanwhile). */
    private readonly monitoringMinutes: number,
  ) {}

  async apply(event: GitHubEvent, actor: Actor): Promise<GitHubEventOutcome> {
    const outcome: GitHubEventOutcome = { applied: [], unchanged: [] };
    for (const mission of await this.candidates(event)) {
      if (!eventConcernsMission(mission, event)) continue;
      try {
        const saved = await this.service.mutate(mission.id, actor, (current, cmd) =>
          eventConcernsMission(current, event) ? applyGitHubEvent(current, event, this.monitoringMinutes, cmd) : current,
        );
        if (saved.version !== mission.version) outcome.applied.push(mission.id);
        else outcome.unchanged.push({ missionId: mission.id, reason: 'nothing new' });
      } catch (error) {
        // A mission that moved on (finished meanwhile) is not an error of the delivery.
        if (!isMissionError(error) || error.code !== 'transition_refused') throw error;
        outcome.unchanged.push({ missionId: mission.id, reason: error.message });
      }
    }
    return outcome;
  }

  /** Closes every monitoring window whose time is up (monitoring_report); returns how many closed. */
  async closeDueMonitoringWindows(actor: Actor, now: Date): Promise<number> {
    let closed = 0;
    // Only missions whose stored execution holds an open window: the sweep runs every minute, and
    // loading every executing mission made its cost grow with the missions ever started.
    for (const id of await this.service.monitoringCandidates()) {
      const mission = await this.service.getMission({ missionId: id }).catch((error: unknown) => {
        if (isMissionError(error) && error.code === 'mission_not_found') return null;
        throw error;
      });
      if (!mission || !FOLLOWING.includes(mission.state)) continue;
      const monitoring = mission.execution?.release?.monitoring;
      if (!monitoring || monitoring.closedAt !== null || Date.parse(monitoring.endsAt) > now.getTime()) continue;
      const saved = await this.service.mutate(mission.id, actor, (current, cmd) => closeMonitoringWindow(current, cmd));
      if (saved.version !== mission.version) closed++;
    }
    return closed;
  }

  /**
   * Missions named by the event's marker, then the missions in flight that may follow a pull
   * request of the event's repository (found through the repository, so a delivery loads those,
   * not every mission executing or reflecting); each is checked with eventConcernsMission.
   */
  private async candidates(event: GitHubEvent): Promise<Mission[]> {
    const named =
      event.kind === 'pull_request' || event.kind === 'review'
        ? missionIdsNamedIn(event.pullRequest.body, event.pullRequest.headRef)
        : event.kind === 'deployment'
          ? event.deployment.missionIds
          : [];
    const ids = [...new Set([...named, ...(await this.service.githubCandidates(repositoryOf(event)))])];
    const found: Mission[] = [];
    for (const id of ids) {
      const mission = await this.service.getMission({ missionId: id }).catch((error: unknown) => {
        if (isMissionError(error) && error.code === 'mission_not_found') return null;
        throw error;
      });
      if (mission && FOLLOWING.includes(mission.state)) found.push(mission);
    }
    return found;
  }
}

function repositoryOf(event: GitHubEvent): string {
  if (event.kind === 'pull_request' || event.kind === 'review') return event.pullRequest.repository;
  if (event.kind === 'deployment') return event.deployment.repository;
  return event.repository;
}
