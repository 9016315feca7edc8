// The code of a pull request as the must-have check reads it (the domain's `CodeHost` port):
// the head commit, the files it changes, and any file's text at that head through the contents
// API. Reads are retried and shared by `GitHubApi`; a file that is not there is null, not an error.
import type { CodeAtRevision, CodeHost } from '../../domain/mustHaveChecks.js';
import { ConnectorError } from '../connectorError.js';
import { repositoryName, type GitHubApi, type RepositoryRef } from './githubApi.js';
import { pullRequestShape, readAnswer } from './githubShapes.js';
import { parsePullRequestRef } from './pullRequestReader.js';

interface PullFileData {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
}
interface ContentData {
  type?: string;
  encoding?: string;
  content?: string;
}

/** GitHub lists at most 3000 changed files; the scan reads the first 300. */
const MAX_CHANGED_FILES = 300;

export class GitHubPullRequestCode implements CodeHost {
  constructor(
    private readonly api: GitHubApi,
    private readonly defaultRepository: RepositoryRef | null,
  ) {}

  async open(ref: string): Promise<CodeAtRevision> {
    const pr = parsePullRequestRef(ref.replace(/#pullrequestreview-\d+$|\/files$/, ''), this.defaultRepository);
    if (!pr) throw new ConnectorError('github', 'rejected', `"${ref}" is not a pull request: give its URL, owner/name#number, or a number.`);
    const where = { owner: pr.owner, repo: pr.repo };
    const pullAnswer = await this.api.get<unknown>('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...where, pull_number: pr.number });
    const pull = readAnswer(pullRequestShape, pullAnswer.data, 'a pull request');
    const changedFiles: string[] = [];
    for (let page = 1; changedFiles.length < MAX_CHANGED_FILES; page++) {
      const files = (
        await this.api.get<PullFileData[]>('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { ...where, pull_number: pr.number, per_page: 100, page })
      ).data;
      changedFiles.push(...files.filter((f) => f.status !== 'removed').map((f) => f.filename));
      if (files.length < 100) break;
    }
    const headSha = pull.head.sha;
    const cache = new Map<string, Promise<string | null>>();
    const read = (path: string): Promise<string | null> => {
      let pending = cache.get(path);
      if (!pending) {
        pending = this.readFile(where, path, headSha);
        cache.set(path, pending);
      }
      return pending;
    };
    return { repository: repositoryName(pr), pullRequest: pull.number, headSha, changedFiles: changedFiles.slice(0, MAX_CHANGED_FILES), read };
  }

  private async readFile(where: RepositoryRef, path: string, sha: string): Promise<string | null> {
    try {
      const file = (await this.api.get<ContentData | ContentData[]>('GET /repos/{owner}/{repo}/contents/{path}', { ...where, path, ref: sha })).data;
      // A directory answers with a list; a file over 1 MB with encoding "none" (treated as present, unread).
      if (Array.isArray(file) || file.type !== 'file') return null;
      if (file.encoding !== 'base64' || file.content === undefined) return '';
      return Buffer.from(file.content, 'base64').toString('utf8');
    } catch (error) {
      if (error instanceof ConnectorError && error.failure === 'not_found') return null;
      throw error;
    }
  }
}
