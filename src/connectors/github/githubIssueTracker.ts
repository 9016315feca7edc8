// Follow-ups as GitHub issues, for missions whose tracker is GitHub. Each issue body carries
// the idempotency key as a hidden marker and the issue gets the `mission-control` label, so
// before creating, the tracker lists labelled issues and finds one filed earlier (a retry, or
// a restart after a crash between creating and recording). The label listing is read from
// the database, unlike the search index, which lags by up to a minute.
import type { Mission } from '../../domain/mission.js';
import type { FollowUp } from '../../domain/reflection.js';
import type { FiledIssue, FollowUpTracker } from '../../domain/trackers.js';
import { withRetry } from '../httpRetry.js';
import { repositoryName, type GitHubApi, type RepositoryRef } from './githubApi.js';

export const MISSION_LABEL = 'mission-control';

interface IssueData {
  number: number;
  html_url: string;
  body?: string | null;
  pull_request?: unknown;
}

export function idempotencyMarker(key: string): string {
  return `<!-- ${key} -->`;
}

export interface GitHubIssueTrackerOptions {
  api: GitHubApi;
  repository: RepositoryRef;
  /** Link back to the mission, e.g. the Slack thread or a dashboard; optional. */
  missionUrl?: (missionId: string) => string | null;
}

export class GitHubIssueTracker implements FollowUpTracker {
  readonly tracker = 'github' as const;
  constructor(private readonly options: GitHubIssueTrackerOptions) {}

  async findByIdempotencyKey(idempotencyKey: string): Promise<FiledIssue | null> {
    const { api, repository } = this.options;
    const marker = idempotencyMarker(idempotencyKey);
    // Newest first; a mission's follow-ups are recent, so a few pages are plenty.
    for (let page = 1; page <= 5; page++) {
      const issues = (
        await api.get<IssueData[]>('GET /repos/{owner}/{repo}/issues', {
          owner: repository.owner,
          repo: repository.repo,
          labels: MISSION_LABEL,
          state: 'all',
          sort: 'created',
          direction: 'desc',
          per_page: 100,
          page,
        })
      ).data;
      const found = issues.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
      if (found) return { externalId: `#${found.number}`, url: found.html_url };
      if (issues.length < 100) return null;
    }
    return null;
  }

  async fileIssue(followUp: FollowUp, mission: Pick<Mission, 'id' | 'title'>, idempotencyKey: string): Promise<FiledIssue> {
    const { api, repository } = this.options;
    // Look up, then create, as one retried unit: a create that failed after GitHub stored it is found on the next round.
    return withRetry(
      async () => {
        const existing = await this.findByIdempotencyKey(idempotencyKey);
        if (existing) return existing;
        const link = this.options.missionUrl?.(mission.id);
        const body = [
          `Follow-up from mission **${mission.title}** (\`${mission.id}\`)${link ? `: ${link}` : ''}.`,
          '',
          `Priority: ${followUp.priority}.`,
          '',
          idempotencyMarker(idempotencyKey),
        ].join('\n');
        const created = await api.send<IssueData>('POST /repos/{owner}/{repo}/issues', {
          owner: repository.owner,
          repo: repository.repo,
          title: followUp.title,
          body,
          labels: [MISSION_LABEL, `priority: ${followUp.priority}`],
        });
        return { externalId: `#${created.data.number}`, url: created.data.html_url };
      },
      (error) => api.classify(error, `POST /repos/${repositoryName(repository)}/issues`),
    );
  }
}
