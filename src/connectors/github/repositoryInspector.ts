// Prepare's read-only look at the mission's repository: default branch and its protection
// (required reviews and checks), the files the brief's scope names, how many test files
// there are, the dependency manifest, and open Dependabot and code scanning alerts by severity. A failure says why in the summary and marks the
// toolkit degraded (or needs_auth / blocked); it never throws into the mission.
import { chipOf, type Brief } from '../../domain/brief.js';
import type { ToolkitInspectionResult, ToolkitInspector } from '../../domain/toolkitInspection.js';
import { ConnectorError } from '../connectorError.js';
import { parseRepository, repositoryName, type GitHubApi, type RepositoryRef } from './githubApi.js';
import { readSecurityAlerts } from './securityAlerts.js';
import { securityMetrics, securitySummary } from '../../domain/securityFindings.js';

interface RepoData {
  full_name: string;
  default_branch: string;
  private: boolean;
  html_url: string;
}
interface BranchData {
  name: string;
  protected: boolean;
  protection?: { required_status_checks?: { contexts?: string[]; checks?: Array<{ context: string }> } | null };
}
interface ProtectionData {
  required_pull_request_reviews?: { required_approving_review_count?: number } | null;
  required_status_checks?: { contexts?: string[]; checks?: Array<{ context: string }> } | null;
}
interface TreeData {
  truncated: boolean;
  tree: Array<{ path: string; type: 'blob' | 'tree' | 'commit' }>;
}

const STOPWORDS = new Set(
  'the and for with from into all any must pass passing fix fixes add use using make proper properly logic handling existing new tests test code file files ensure support current tech stack via per without within each'.split(
    ' ',
  ),
);
const TEST_FILE = /(^|\/)(__tests__|tests?|spec|e2e)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.(go|py|rb)$|(^|\/)test_[^/]+\.py$|Test\.java$/;
const MANIFESTS = ['package.json', 'requirements.txt', 'pyproject.toml', 'go.mod', 'Cargo.toml', 'Gemfile', 'pom.xml', 'composer.json'];

/** The repository a mission names (a github.com URL, or "repo owner/name" in its intent or brief), else the default. */
export function repositoryForMission(mission: { intent?: string; brief: Brief }, fallback: RepositoryRef | null): RepositoryRef | null {
  const texts = [mission.intent ?? '', ...mission.brief.chips.flatMap((c) => c.items)];
  for (const text of texts) {
    const url = /github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?(?=[/#?\s)]|$)/.exec(text);
    const named = url ?? /\b(?:repo|repository)[:\s]+`?([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)`?/i.exec(text);
    const parsed = named ? parseRepository(`${named[1]}/${named[2]}`) : null;
    if (parsed) return parsed;
  }
  return fallback;
}

/** Lowercase words from the brief's scope (and the mission's tags) that can name files. */
export function scopeWords(brief: Brief, tags: readonly string[]): string[] {
  const items = (chipOf(brief, 'scope')?.items ?? []).filter((i) => !/^tech stack:/i.test(i));
  const words = [
    ...items
      .join(' ')
      .toLowerCase()
      .split(/[^a-z0-9]+/),
    ...tags.flatMap((t) => t.toLowerCase().split('-')),
  ];
  return [...new Set(words.filter((w) => w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w)))];
}

function stackWords(brief: Brief): string[] {
  const stack = (chipOf(brief, 'scope')?.items ?? [])
    .filter((i) => /^tech stack:/i.test(i))
    .join(' ')
    .replace(/^tech stack:/i, '');
  return stack
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
}

/** A path matches when one of its name parts starts with a scope word, or is a 4+ letter prefix of one ("auth" for "authentication"). */
export function matchesScope(path: string, words: readonly string[]): boolean {
  // camelCase and PascalCase names split too: "useAuth" -> use, auth.
  const parts = path
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return parts.some((part) => words.some((word) => part.startsWith(word) || (part.length >= 4 && word.startsWith(part))));
}

export interface GitHubInspectorOptions {
  api: GitHubApi;
  defaultRepository: RepositoryRef | null;
}

export class GitHubRepositoryInspector implements ToolkitInspector {
  readonly toolkitId = 'github';
  constructor(private readonly options: GitHubInspectorOptions) {}

  async inspect(mission: { id: string; brief: Brief; tags: readonly string[]; intent?: string }): Promise<ToolkitInspectionResult> {
    const ref = repositoryForMission(mission, this.options.defaultRepository);
    if (!ref) {
      return {
        status: 'needs_data',
        summary: 'No repository is named: set GITHUB_REPOSITORY (owner/name) or put the repository URL in the brief.',
        metrics: {},
      };
    }
    try {
      return await this.inspectRepository(ref, mission.brief, scopeWords(mission.brief, mission.tags));
    } catch (error) {
      return failedInspection(ref, error);
    }
  }

  private async inspectRepository(ref: RepositoryRef, brief: Brief, words: string[]): Promise<ToolkitInspectionResult> {
    const { api } = this.options;
    const _base = `/repos/${ref.owner}/${ref.repo}`;
    const repo = (await api.get<RepoData>('GET /repos/{owner}/{repo}', { owner: ref.owner, repo: ref.repo })).data;
    const branchName = repo.default_branch;
    const notes: string[] = [];
    const [branch, tree, security] = await Promise.all([
      api.get<BranchData>('GET /repos/{owner}/{repo}/branches/{branch}', { owner: ref.owner, repo: ref.repo, branch: branchName }).then((r) => r.data),
      api
        .get<TreeData>('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner: ref.owner, repo: ref.repo, tree_sha: branchName, recursive: '1' })
        .then((r) => r.data),
      readSecurityAlerts(api, ref),
    ]);

    let requiredReviews: number | null = null;
    let requiredChecks = checkNames(branch.protection?.required_status_checks);
    if (branch.protected) {
      // Review rules are only visible to admins; without admin rights the summary says so.
      try {
        const protection = (
          await api.get<ProtectionData>('GET /repos/{owner}/{repo}/branches/{branch}/protection', { owner: ref.owner, repo: ref.repo, branch: branchName })
        ).data;
        requiredReviews = protection.required_pull_request_reviews?.required_approving_review_count ?? 0;
        requiredChecks = checkNames(protection.required_status_checks).length > 0 ? checkNames(protection.required_status_checks) : requiredChecks;
      } catch (error) {
        if (!(error instanceof ConnectorError) || (error.failure !== 'forbidden' && error.failure !== 'not_found')) throw error;
        notes.push('review rules not visible without admin rights');
      }
    }

    const blobs = tree.tree.filter((e) => e.type === 'blob').map((e) => e.path);
    const tests = blobs.filter((p) => TEST_FILE.test(p));
    const scoped = words.length > 0 ? blobs.filter((p) => !TEST_FILE.test(p) && matchesScope(p, words)) : [];
    if (tree.truncated) notes.push('the file list was truncated by GitHub, so counts are lower bounds');

    const manifest = MANIFESTS.find((m) => blobs.includes(m)) ?? null;
    const dependencies = manifest === 'package.json' ? await this.packageDependencies(ref, branchName) : null;
    // Dependencies the scope or the tech stack names ("jsonwebtoken" for "token", "@supabase/supabase-js" for "Supabase Auth").
    const depWords = [...words, ...stackWords(brief)];
    const relevantDeps = dependencies ? dependencies.filter((d) => depWords.some((w) => d.toLowerCase().includes(w))).slice(0, 6) : [];

    const protectionText = branch.protected
      ? `protected (${requiredReviews === null ? 'reviews unknown' : `${requiredReviews} required review${requiredReviews === 1 ? '' : 's'}`}${requiredChecks.length > 0 ? `, required checks: ${requiredChecks.join(', ')}` : ', no required checks'})`
      : 'not protected';
    const parts = [
      `${repo.full_name}, default branch ${branchName} ${protectionText}`,
      words.length > 0
        ? `${scoped.length} file${scoped.length === 1 ? '' : 's'} match the scope (${words.slice(0, 6).join(', ')})${scoped.length > 0 ? `: ${scoped.slice(0, 5).join(', ')}${scoped.length > 5 ? ', …' : ''}` : ''}`
        : 'the brief has no scope words to match files with',
      `${tests.length} test file${tests.length === 1 ? '' : 's'}`,
      manifest === null
        ? 'no dependency manifest found'
        : dependencies === null
          ? `manifest ${manifest}`
          : `${manifest}: ${dependencies.length} dependencies${relevantDeps.length > 0 ? ` (${relevantDeps.join(', ')})` : ''}`,
      securitySummary(security),
    ];
    const metrics: Record<string, number | string | boolean> = {
      repository: repo.full_name,
      default_branch: branchName,
      branch_protected: branch.protected,
      required_checks: requiredChecks.length,
      files_analyzed: scoped.length,
      test_files: tests.length,
      total_files: blobs.length,
    };
    if (requiredReviews !== null) metrics.required_reviews = requiredReviews;
    if (dependencies !== null) metrics.dependencies = dependencies.length;
    if (manifest !== null) metrics.manifest = manifest;
    Object.assign(metrics, securityMetrics(security));
    // Coverage is ready when the scope found files to work on; otherwise the repository is readable but the brief needs data.
    const status = words.length > 0 && scoped.length === 0 ? 'needs_data' : 'ready';
    return { status, summary: `${parts.join('; ')}.${notes.length > 0 ? ` Note: ${notes.join('; ')}.` : ''}`, metrics };
  }

  private async packageDependencies(ref: RepositoryRef, branch: string): Promise<string[] | null> {
    try {
      const file = (
        await this.options.api.get<{ content?: string; encoding?: string }>('GET /repos/{owner}/{repo}/contents/{path}', {
          owner: ref.owner,
          repo: ref.repo,
          path: 'package.json',
          ref: branch,
        })
      ).data;
      if (file.encoding !== 'base64' || !file.content) return null;
      const manifest = JSON.parse(Buffer.from(file.content, 'base64').toString('utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
    } catch (error) {
      if (error instanceof SyntaxError) return null;
      throw error;
    }
  }
}

function checkNames(checks: { contexts?: string[]; checks?: Array<{ context: string }> } | null | undefined): string[] {
  if (!checks) return [];
  return [...new Set([...(checks.contexts ?? []), ...(checks.checks ?? []).map((c) => c.context)])];
}

function failedInspection(ref: RepositoryRef, error: unknown): ToolkitInspectionResult {
  const name = repositoryName(ref);
  if (!(error instanceof ConnectorError)) {
    return {
      status: 'degraded',
      summary: `Could not inspect ${name}: ${error instanceof Error ? error.message : String(error)}`,
      metrics: { repository: name },
    };
  }
  switch (error.failure) {
    case 'unauthorized':
      return { status: 'needs_auth', summary: `GitHub refused the token while inspecting ${name} (401): connect GitHub again.`, metrics: { repository: name } };
    case 'not_found':
    case 'forbidden':
      return {
        status: 'blocked',
        summary: `${name} was not found or the token cannot read it (${error.status}): check GITHUB_REPOSITORY and the token's access.`,
        metrics: { repository: name },
      };
    default:
      return {
        status: 'degraded',
        summary: `GitHub is not answering properly, inspection of ${name} is incomplete: ${error.message}`,
        metrics: { repository: name },
      };
  }
}
