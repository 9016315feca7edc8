// The undo step a GitHub connector can carry out itself: "close PR and delete branch", for
// the pull request the connector attached as evidence. Both halves are safe to repeat: a
// closed PR stays closed, and a branch already gone counts as deleted.
import type { Mission } from '../../domain/mission.js';
import type { RollbackStepResult, RollbackStepRunner } from '../../domain/trackers.js';
import { ConnectorError } from '../connectorError.js';
import type { GitHubApi, RepositoryRef } from './githubApi.js';
import { parsePullRequestRef } from './pullRequestReader.js';

const STEP = /\bclose\b.*\b(pr|pull request)\b.*\bdelete\b.*\bbranch\b|\b(discard|close)\b.*\b(pr|pull request)\b/i;

export class ClosePullRequestStep implements RollbackStepRunner {
  constructor(
    private readonly api: GitHubApi,
    private readonly defaultRepository: RepositoryRef | null,
  ) {}

  handles(step: string): boolean {
    return STEP.test(step);
  }

  async run(_step: string, mission: Mission): Promise<RollbackStepResult> {
    // The latest pull request the connector recorded is the mission's change.
    const artifact = [...mission.evidence.artifacts].reverse().find((a) => a.attachedBy.kind === 'system' && a.url !== null && /\/pull\/\d+/.test(a.url));
    const pr = artifact?.url ? parsePullRequestRef(artifact.url, this.defaultRepository) : null;
    if (!pr) return { outcome: 'failed', detail: 'No pull request was recorded by the GitHub connector; close it and delete its branch by hand.' };
    const where = { owner: pr.owner, repo: pr.repo };
    try {
      const pull = await this.api.send<{ head: { ref: string; repo: { full_name: string } | null }; state: string; merged: boolean }>(
        'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
        { ...where, pull_number: pr.number, state: 'closed' },
      );
      if (pull.data.merged) return { outcome: 'failed', detail: `PR #${pr.number} is already merged; revert it instead.` };
      const branch = pull.data.head.ref;
      if (pull.data.head.repo && pull.data.head.repo.full_name !== `${pr.owner}/${pr.repo}`) {
        return {
          outcome: 'done',
          detail: `Closed PR #${pr.number}; its branch ${branch} lives in the fork ${pull.data.head.repo.full_name} and was left alone.`,
        };
      }
      try {
        await this.api.send('DELETE /repos/{owner}/{repo}/git/refs/{ref}', { ...where, ref: `heads/${branch}` });
      } catch (error) {
        // 422 "Reference does not exist": deleted already.
        if (!(error instanceof ConnectorError && (error.status === 422 || error.status === 404))) throw error;
      }
      return { outcome: 'done', detail: `Closed PR #${pr.number} and deleted branch ${branch}.` };
    } catch (error) {
      return { outcome: 'failed', detail: `GitHub refused: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
