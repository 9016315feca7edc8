// Reads a pull request as Execute needs it: state, head commit, check runs on the head,
// each reviewer's latest review, and the size of the change.
import type { CheckConclusion, PullRequestReader, PullRequestSnapshot } from '../../domain/trackers.js';
import { ConnectorError } from '../connectorError.js';
import { parseRepository, repositoryName, type GitHubApi, type RepositoryRef } from './githubApi.js';

interface PullData {
  number: number;
  title: string;
  html_url: string;
  state: 'open' | 'closed';
  merged: boolean;
  head: { sha: string; ref: string };
  changed_files: number;
  additions: number;
  deletions: number;
}
interface CheckRunsData {
  total_count: number;
  check_runs: Array<{ name: string; status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'; conclusion: string | null }>;
}
interface ReviewData {
  user: { login: string } | null;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  submitted_at?: string;
}

export interface PullRequestRef extends RepositoryRef {
  number: number;
}

/** A pull request URL, `owner/name#47`, `#47` or `47`; the last two in the default repository. */
export function parsePullRequestRef(ref: string, defaultRepository: RepositoryRef | null): PullRequestRef | null {
  const text = ref.trim();
  const url = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/pull\/(\d+)(?:[/?#].*)?$/.exec(text);
  const short = /^([^/\s#]+\/[^/\s#]+)#(\d+)$/.exec(text);
  const bare = /^#?(\d+)$/.exec(text);
  const repo = url ? parseRepository(`${url[1]}/${url[2]}`) : short ? parseRepository(short[1]!) : bare ? defaultRepository : null;
  const number = Number(url?.[3] ?? short?.[2] ?? bare?.[1]);
  return repo && Number.isInteger(number) && number > 0 ? { ...repo, number } : null;
}

export function checkConclusion(run: CheckRunsData['check_runs'][number]): CheckConclusion {
  if (run.status !== 'completed') return 'pending';
  switch (run.conclusion) {
    case 'success':
      return 'success';
    case 'neutral':
      return 'neutral';
    case 'skipped':
      return 'skipped';
    case 'stale':
      return 'pending';
    default:
      // failure, cancelled, timed_out, action_required, startup_failure: the change is not proven.
      return 'failure';
  }
}

export class GitHubPullRequestReader implements PullRequestReader {
  constructor(
    private readonly api: GitHubApi,
    private readonly defaultRepository: RepositoryRef | null,
  ) {}

  async read(ref: string): Promise<PullRequestSnapshot> {
    const pr = parsePullRequestRef(ref, this.defaultRepository);
    if (!pr)
      throw new ConnectorError(
        'github',
        'rejected',
        `"${ref}" is not a pull request: give its URL, owner/name#number, or a number in ${this.defaultRepository ? repositoryName(this.defaultRepository) : 'GITHUB_REPOSITORY (not set)'}.`,
      );
    const where = { owner: pr.owner, repo: pr.repo };
    const pull = (await this.api.get<PullData>('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...where, pull_number: pr.number })).data;
    const [checks, reviews] = await Promise.all([
      this.api.get<CheckRunsData>('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...where, ref: pull.head.sha, per_page: 100 }).then((r) => r.data),
      this.api
        .get<ReviewData[]>('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...where, pull_number: pr.number, per_page: 100 })
        .then((r) => r.data),
    ]);
    return {
      repository: repositoryName(pr),
      number: pull.number,
      title: pull.title,
      url: pull.html_url,
      state: pull.merged ? 'merged' : pull.state,
      headSha: pull.head.sha,
      headRef: pull.head.ref,
      changedFiles: pull.changed_files,
      additions: pull.additions,
      deletions: pull.deletions,
      checks: latestCheckRuns(checks.check_runs).map((run) => ({ name: run.name, conclusion: checkConclusion(run) })),
      reviews: latestReviews(reviews),
    };
  }
}

/** A re-run check appears once per run, newest first: keep the first of each name. */
function latestCheckRuns(runs: CheckRunsData['check_runs']): CheckRunsData['check_runs'] {
  const seen = new Set<string>();
  return runs.filter((run) => {
    if (seen.has(run.name)) return false;
    seen.add(run.name);
    return true;
  });
}

/** Each reviewer's latest decision; comments do not undo an approval, a dismissal does. */
function latestReviews(reviews: ReviewData[]): PullRequestSnapshot['reviews'] {
  const byReviewer = new Map<string, PullRequestSnapshot['reviews'][number]['state'] | null>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (!login) continue;
    const previous = byReviewer.get(login);
    if (review.state === 'APPROVED') byReviewer.set(login, 'approved');
    else if (review.state === 'CHANGES_REQUESTED') byReviewer.set(login, 'changes_requested');
    else if (review.state === 'DISMISSED') byReviewer.set(login, null);
    else if (review.state === 'COMMENTED' && (previous === undefined || previous === null)) byReviewer.set(login, 'commented');
  }
  return [...byReviewer]
    .filter((entry): entry is [string, 'approved' | 'changes_requested' | 'commented'] => entry[1] !== null)
    .map(([reviewer, state]) => ({ reviewer, state }));
}
