// The service API for verification: UAT results from people, the must-have check against the
// code (through the `CodeHost` port a connector implements), and the UAT.md / VERIFICATION.md
// reads. It saves through `MissionService.mutate`, so its changes get the same version check,
// access check and event chain as every other command.
import type { Actor } from './actors.js';
import { MissionError } from './errors.js';
import type { Mission } from './mission.js';
import { parseInput, recordUatResultInput, verifyMustHavesInput } from './missionInputs.js';
import type { MissionService } from './missionService.js';
import { checkMustHavesAgainstCode, type CodeHost } from './mustHaveChecks.js';
import { canonicalJson } from './eventLog.js';
import { recordMustHaveVerification, recordUatResult, type MustHaveVerification } from './verification.js';

/** The pull request the mission's evidence names: the latest artifact linking to one. */
export function pullRequestOf(mission: Pick<Mission, 'evidence'>): string | null {
  for (let i = mission.evidence.artifacts.length - 1; i >= 0; i--) {
    const url = mission.evidence.artifacts[i]!.url;
    if (url && /\/pull\/\d+(?:[/?#]|$)/.test(url)) return url;
  }
  return null;
}

/** A person marks a UAT item pass or fail, with a note (Slack's UAT message; needs no code host). */
export function recordUatResultFor(missions: MissionService, rawInput: unknown, actor: Actor): Promise<Mission> {
  const input = parseInput(recordUatResultInput, rawInput);
  return missions.mutate(input.missionId, actor, (mission, cmd) => recordUatResult(mission, input, cmd));
}

export type MustHaveVerificationOutcome =
  | { verified: true; mission: Mission; verification: MustHaveVerification }
  | { verified: false; mission: Mission; reason: string };

export class VerificationService {
  constructor(
    private readonly missions: MissionService,
    /** Null when no code host is configured: artifacts and key links then wait for a person. */
    private readonly codeHost: CodeHost | null,
    /** Who records what the code showed (the connector). */
    private readonly verifier: Actor,
  ) {}

  /** A person marks a UAT item pass or fail, with a note. */
  recordUatResult(rawInput: unknown, actor: Actor): Promise<Mission> {
    return recordUatResultFor(this.missions, rawInput, actor);
  }

  /**
   * Reads the pull request's head and checks the approved play's artifacts and key links. The
   * result is saved when it differs from the last one (a new head, or different findings).
   */
  async verifyMustHaves(rawInput: unknown): Promise<MustHaveVerificationOutcome> {
    const input = parseInput(verifyMustHavesInput, rawInput);
    const mission = await this.missions.getMission({ missionId: input.missionId });
    const play = mission.execution ? mission.plays.find((p) => p.id === mission.execution!.playId) : undefined;
    if (mission.state !== 'executing' || !play) {
      throw new MissionError('transition_refused', `Cannot verify must-haves: the mission is ${mission.state}; they are checked while it executes.`, {
        state: mission.state,
        allowed: [],
      });
    }
    if (!this.codeHost) return { verified: false, mission, reason: 'No code host is configured (GitHub), so artifacts and key links wait for a person.' };
    const ref = input.pullRequest ?? pullRequestOf(mission);
    if (!ref)
      return {
        verified: false,
        mission,
        reason: 'No pull request is attached to the mission yet: attach it as evidence (or link it) to have the must-haves checked.',
      };
    if (play.mustHaves.artifacts.length === 0 && play.mustHaves.keyLinks.length === 0)
      return { verified: false, mission, reason: 'The play names no artifacts or key links to check.' };
    const code = await this.codeHost.open(ref);
    const result = {
      repository: code.repository,
      pullRequest: code.pullRequest,
      headSha: code.headSha,
      ...(await checkMustHavesAgainstCode(play.mustHaves, code)),
    };
    const saved = await this.missions.mutate(input.missionId, this.verifier, (current, cmd) => {
      const previous = current.execution?.mustHaveVerification;
      const same =
        previous?.playId === play.id &&
        canonicalJson([previous.headSha, previous.checks, previous.antiPatterns]) === canonicalJson([result.headSha, result.checks, result.antiPatterns]);
      return same ? current : recordMustHaveVerification(current, result, cmd);
    });
    return { verified: true, mission: saved, verification: saved.execution!.mustHaveVerification! };
  }

  /**
   * Completion's first step (wired as MissionService's `beforeCompletion`): check the code when
   * a pull request is known. A connector failure is not swallowed: completion waits for GitHub.
   */
  async beforeCompletion(missionId: string): Promise<void> {
    const mission = await this.missions.getMission({ missionId });
    if (mission.state !== 'executing') return;
    await this.verifyMustHaves({ missionId });
  }
}
