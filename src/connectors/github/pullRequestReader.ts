// Reads a pull request as Execute needs it: state, head commit, check runs on the head,
// each reviewer's latest review, and the size of the change; GitHub's answers are read with the
// shapes the webhook shares (githubShapes.ts).
import { z } from 'zod';
import type { PullRequestReader, PullRequestSnapshot } from '../../domain/trackers.js';
import { ConnectorError } from '../connectorError.js';
import { parseRepository, repositoryName, type GitHubApi, type RepositoryRef } from './githubApi.js';
import { checkConclusion, checkRunShape, latestCheckRuns, latestReviews, pullRequestFacts, pullRequestShape, readAnswer, reviewShape } from './githubShapes.js';

const checkRunsAnswer = z.looseObject({ check_runs: z.array(checkRunShape) });
const reviewsAnswer = z.array(reviewShape);

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
    const pullAnswer = await this.api.get<unknown>('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...where, pull_number: pr.number });
    const pull = pullRequestFacts(readAnswer(pullRequestShape, pullAnswer.data, 'a pull request'), repositoryName(pr));
    const [checks, reviews] = await Promise.all([
      this.api
        .get<unknown>('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...where, ref: pull.headSha, per_page: 100 })
        .then((r) => readAnswer(checkRunsAnswer, r.data, 'check runs')),
      this.api
        .get<unknown>('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { ...where, pull_number: pr.number, per_page: 100 })
        .then((r) => readAnswer(reviewsAnswer, r.data, 'reviews')),
    ]);
    return {
      repository: pull.repository,
      number: pull.number,
      title: pull.title,
      url: pull.url,
      state: pull.state,
      headSha: pull.headSha,
      headRef: pull.headRef,
      changedFiles: pull.changedFiles,
      additions: pull.additions,
      deletions: pull.deletions,
      checks: latestCheckRuns(checks.check_runs).map((run) => ({ name: run.name, conclusion: checkConclusion(run.status, run.conclusion) })),
      reviews: latestReviews(reviews),
    };
  }
}
