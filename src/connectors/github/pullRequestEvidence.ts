// Execute's pull request evidence: the GitHub connector reads the PR and records it, its
// check runs and its reviews as one link artifact, attached by the connector itself (a
// `system` actor), so the final gate can count the review and the checks.
import type { Actor } from '../../domain/actors.js';
import { canonicalJson } from '../../domain/eventLog.js';
import { hashArtifactContent, type ArtifactRecord, type ReviewEvidence } from '../../domain/evidence.js';
import type { Mission } from '../../domain/mission.js';
import type { MissionService } from '../../domain/missionService.js';
import type { PullRequestReader, PullRequestSnapshot } from '../../domain/trackers.js';

export const GITHUB_CONNECTOR: Actor = { kind: 'system', id: 'github-connector' };

export type PullRequestEvidenceResult =
  | { attached: true; artifact: ArtifactRecord; mission: Mission; snapshot: PullRequestSnapshot }
  | { attached: false; reason: string; snapshot: PullRequestSnapshot };

/** The review that speaks for the PR: any reviewer asking for changes, else the approvers, else comments. */
export function reviewOf(snapshot: PullRequestSnapshot): ReviewEvidence | null {
  const byState = (state: ReviewEvidence['state']) => snapshot.reviews.filter((r) => r.state === state).map((r) => r.reviewer);
  for (const state of ['changes_requested', 'approved', 'commented'] as const) {
    const reviewers = byState(state);
    if (reviewers.length > 0) return { state, reviewer: reviewers.join(', ') };
  }
  return null;
}

/**
 * Reads the pull request and attaches it as evidence. While checks are still running it
 * attaches nothing and says which are pending (a pending check would hold the gate shut);
 * the same snapshot attached twice is attached once.
 */
export async function attachPullRequestEvidence(
  service: MissionService,
  reader: PullRequestReader,
  input: { missionId: string; pullRequest: string; phaseId?: string | undefined },
): Promise<PullRequestEvidenceResult> {
  const snapshot = await reader.read(input.pullRequest);
  const pending = snapshot.checks.filter((c) => c.conclusion === 'pending').map((c) => c.name);
  if (pending.length > 0) {
    return {
      attached: false,
      reason: `Checks still running on ${snapshot.headSha.slice(0, 7)}: ${pending.join(', ')}. Attach the pull request again when they finish.`,
      snapshot,
    };
  }
  const content = canonicalJson(snapshot);
  const name = `GitHub Pull Request #${snapshot.number}`;
  const mission = await service.getMission({ missionId: input.missionId });
  const sha256 = hashArtifactContent(content);
  const existing = mission.evidence.artifacts.find((a) => a.name === name && a.sha256 === sha256);
  if (existing) return { attached: true, artifact: existing, mission, snapshot };
  const review = reviewOf(snapshot);
  const result = await service.attachEvidence(
    {
      missionId: input.missionId,
      name,
      kind: 'link',
      url: snapshot.url,
      content,
      mediaType: 'application/json',
      ...(input.phaseId ? { phaseId: input.phaseId } : {}),
      ...(snapshot.checks.length > 0 ? { checks: snapshot.checks } : {}),
      ...(review ? { review } : {}),
    },
    GITHUB_CONNECTOR,
  );
  return { attached: true, artifact: result.artifact, mission: result.mission, snapshot };
}

/** One line for people and assistants: state, size, checks and reviews. */
export function describePullRequest(snapshot: PullRequestSnapshot): string {
  const passing = snapshot.checks.filter((c) => c.conclusion === 'success').length;
  const failing = snapshot.checks.filter((c) => c.conclusion === 'failure').map((c) => c.name);
  const review = reviewOf(snapshot);
  return [
    `#${snapshot.number} ${snapshot.state} (${snapshot.headRef} @ ${snapshot.headSha.slice(0, 7)}), +${snapshot.additions}/-${snapshot.deletions} across ${snapshot.changedFiles} files`,
    snapshot.checks.length === 0
      ? 'no check runs'
      : failing.length > 0
        ? `checks failing: ${failing.join(', ')}`
        : `${passing}/${snapshot.checks.length} checks passing`,
    review ? `${review.state.replace('_', ' ')} by ${review.reviewer}` : 'no reviews yet',
  ].join('; ');
}
