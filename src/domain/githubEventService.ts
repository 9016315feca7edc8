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

  /** Missions named by the event's marker, then every mission that is executing or reflecting (linked ones are found by their tracked pull request). */
  private async candidates(event: GitHubEvent): Promise<Mission[]> {
    const named =
      event.kind === 'pull_request' || event.kind === 'review'
        ? missionIdsNamedIn(event.pullRequest.body, event.pullRequest.headRef)
        : event.kind === 'deployment'
          ? event.deployment.missionIds
          : [];
    const found = new Map<string, Mission>();
    for (const id of named) {
      const mission = await this.service.getMission({ missionId: id }).catch((error: unknown) => {
        if (isMissionError(error) && error.code === 'mission_not_found') return null;
        throw error;
      });
      if (mission && FOLLOWING.includes(mission.state)) found.set(mission.id, mission);
    }
    for (const mission of await this.following()) if (!found.has(mission.id)) found.set(mission.id, mission);
    return [...found.values()];
  }

  private async following(): Promise<Mission[]> {
    const missions: Mission[] = [];
    for (const state of FOLLOWING) {
      let cursor: string | undefined;
      do {
        const page = await this.service.listMissions({ state, limit: 100, ...(cursor ? { cursor } : {}) });
        for (const summary of page.missions) missions.push(await this.service.getMission({ missionId: summary.id }));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return missions;
  }
}
