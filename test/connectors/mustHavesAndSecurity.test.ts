// The GitHub side of verification against the fake GitHub API (msw): the code at a pull request's
// head read through the contents API for the must-have check at completion (present, stub,
// missing, not wired; a rate limit refuses completion and writes nothing), and Prepare's
// Dependabot and code scanning alerts by severity, closed lists reported as not available, and an
// open critical finding in a file a play touches raising its risk.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitHubApi } from '../../src/connectors/github/githubApi.js';
import { GitHubPullRequestCode } from '../../src/connectors/github/pullRequestCode.js';
import { GITHUB_CONNECTOR } from '../../src/connectors/github/pullRequestEvidence.js';
import { GitHubRepositoryInspector } from '../../src/connectors/github/repositoryInspector.js';
import type { RetryRuntime } from '../../src/connectors/httpRetry.js';
import { ConnectorError } from '../../src/connectors/connectorError.js';
import { VerificationService } from '../../src/domain/verificationService.js';
import { inMemoryService } from '../support/ruleHarness.js';
import { SEED_PLAY_1, SEED_REVIEW, seedToExecuting, seedToPlanning, signOffTruths, executeSeedPhases } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { refusal } from '../support/refusal.js';
import { codeScanningAlert, dependabotAlert, fakeGitHubHandlers, fakeGitHubState, GITHUB_API, OWNER, REPO, type FakeGitHubState } from './fakeGitHub.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const runtime: RetryRuntime = { sleep: async () => undefined, random: () => 0.5, now: () => Date.parse('2025-10-15T12:00:00Z') };
const REPOSITORY = { owner: OWNER, repo: REPO };

const JWT = `import { SignJWT, jwtVerify } from 'jose';
import { tokenStore } from './tokenStore';

export async function refreshSession(refreshToken: string) {
  const stored = await tokenStore.find(refreshToken);
  if (!stored || stored.revokedAt) throw new SessionError('refresh token revoked');
  const access = await new SignJWT({ sub: stored.userId }).setExpirationTime('15m').sign(key);
  await tokenStore.rotate(stored, access);
  return access;
}
`;
const CSRF = `import { timingSafeEqual } from 'node:crypto';

export function verifyCsrf(request: Request): void {
  const header = request.headers.get('x-csrf-token') ?? '';
  const cookie = request.headers.get('cookie')?.match(/csrf=([^;]+)/)?.[1] ?? '';
  if (!header || !timingSafeEqual(Buffer.from(header), Buffer.from(cookie))) throw new CsrfError();
}
`;
const CSRF_STUB = `export function verifyCsrf(request: Request): boolean {
  // TODO: compare the header with the cookie
  return true;
}
`;
const MIDDLEWARE = `import { verifyCsrf } from '@/lib/auth/csrf';

export async function middleware(request: Request) {
  if (request.method !== 'GET') verifyCsrf(request);
  return next(request);
}
`;

let state: FakeGitHubState;
let api: GitHubApi;
beforeEach(() => {
  state = fakeGitHubState();
  server.use(...fakeGitHubHandlers(state));
  api = new GitHubApi({ token: 'ghp_test0123456789abcdefghijklmnopqrstuv', baseUrl: GITHUB_API, runtime, timeoutMs: 2_000, retry: { maxAttempts: 2 } });
});

/** The seed mission with its play's must-haves named as code, all phases reported, review attached: only verification is left. */
async function readyToComplete() {
  const { service, clock, repository } = inMemoryService();
  const play = {
    ...SEED_PLAY_1,
    mustHaves: {
      truths: ['Logout revokes the token'],
      artifacts: ['src/lib/auth/jwt.ts', 'src/lib/auth/csrf.ts'],
      keyLinks: ['src/middleware.ts -> verifyCsrf', 'src/lib/auth/jwt.ts -> tokenStore'],
    },
  };
  const mission = await seedToExecuting(service, clock, play);
  await executeSeedPhases(service, clock, mission.id, { withArtifacts: true });
  await service.attachEvidence({ missionId: mission.id, ...SEED_REVIEW }, JORDAN);
  await signOffTruths(service, mission.id);
  const verification = new VerificationService(service, new GitHubPullRequestCode(api, REPOSITORY), GITHUB_CONNECTOR);
  service.setBeforeCompletion((id) => verification.beforeCompletion(id));
  return { service, repository, id: mission.id, verification };
}

describe('must-haves read from the pull request head', () => {
  it('completes when every artifact exists with substance and every key link is in its file', async () => {
    state.files = { 'src/lib/auth/jwt.ts': JWT, 'src/lib/auth/csrf.ts': CSRF, 'src/middleware.ts': MIDDLEWARE };
    state.pullFiles = Object.keys(state.files).map((filename) => ({ filename, status: 'modified' }));
    const { service, id } = await readyToComplete();
    const completed = await service.completeMission({ missionId: id }, ASSISTANT);
    expect(completed.state).toBe('reflecting');
    const verification = completed.execution!.mustHaveVerification!;
    expect(verification).toMatchObject({
      repository: 'jordan-nakamura/legaltech-mvp',
      pullRequest: 47,
      headSha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      checkedBy: GITHUB_CONNECTOR,
      antiPatterns: [],
    });
    expect(verification.checks.map((c) => [c.subject, c.status])).toEqual([
      ['src/lib/auth/jwt.ts', 'VERIFIED'],
      ['src/lib/auth/csrf.ts', 'VERIFIED'],
      ['src/middleware.ts -> verifyCsrf', 'VERIFIED'],
      ['src/lib/auth/jwt.ts -> tokenStore', 'VERIFIED'],
    ]);
    expect(state.requests.map(decodeURIComponent)).toContain('GET /repos/jordan-nakamura/legaltech-mvp/contents/src/lib/auth/csrf.ts');
    const markdown = (await service.exportDocument({ missionId: id, document: 'verification' })).markdown;
    expect(markdown).toContain('status: passed');
  });

  it('refuses completion on a stub, a missing file and a missing link, and shows them in VERIFICATION.md', async () => {
    state.files = {
      'src/lib/auth/csrf.ts': CSRF_STUB,
      'src/middleware.ts': 'export async function middleware(request: Request) {\n  return next(request);\n}\n',
    };
    state.pullFiles = [
      { filename: 'src/lib/auth/csrf.ts', status: 'added' },
      { filename: 'src/middleware.ts', status: 'modified' },
      { filename: 'src/old.ts', status: 'removed' },
    ];
    const { service, id } = await readyToComplete();
    const error = await refusal(service.completeMission({ missionId: id }, ASSISTANT));
    expect(error.code).toBe('verification_incomplete');
    expect(error.message).toContain(
      '"src/lib/auth/jwt.ts" (MISSING), "src/lib/auth/csrf.ts" (STUB), "src/middleware.ts -> verifyCsrf" (NOT_WIRED) and "src/lib/auth/jwt.ts -> tokenStore" (NOT_WIRED)',
    );
    const mission = await service.getMission({ missionId: id });
    expect(mission.state).toBe('executing');
    expect(mission.execution!.mustHaveVerification!.antiPatterns.map((f) => `${f.path}:${f.line} ${f.kind}`)).toEqual(['src/lib/auth/csrf.ts:2 todo']);
    const markdown = (await service.exportDocument({ missionId: id, document: 'verification' })).markdown;
    expect(markdown).toContain('status: gaps_found');
    expect(markdown).toContain('| `src/lib/auth/csrf.ts` | STUB | src/lib/auth/csrf.ts @ 6dcb09b |');
    expect(markdown).toContain('| `src/lib/auth/jwt.ts` | MISSING |');
    expect(markdown).toContain('| `src/middleware.ts -> verifyCsrf` | NOT_WIRED |');
  });

  it('refuses completion while GitHub rate-limits the contents API, writing nothing', async () => {
    state.files = { 'src/lib/auth/jwt.ts': JWT, 'src/lib/auth/csrf.ts': CSRF, 'src/middleware.ts': MIDDLEWARE };
    const { service, repository, id } = await readyToComplete();
    state.contentsRateLimited = true;
    const before = await service.getMission({ missionId: id });
    const events = (await repository.events(id)).length;
    const error = await service.completeMission({ missionId: id }, ASSISTANT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failure).toBe('rate_limited');
    expect((await service.getMission({ missionId: id })).version).toBe(before.version);
    expect((await repository.events(id)).length).toBe(events);
  });
});

describe('security findings in Prepare', () => {
  const MISSION = {
    id: 'msn_0001',
    brief: {
      editsMade: 0,
      lockedAt: null,
      chips: [{ kind: 'scope' as const, items: ['CSRF protection'], confidence: 'high' as const, source: 'drafted' as const }],
    },
    tags: ['security'],
  };

  it('reads Dependabot and code scanning alerts and shows them by severity', async () => {
    state.dependabotAlerts = [dependabotAlert(1, 'jsonwebtoken', 'critical'), dependabotAlert(2, 'cookie', 'medium')];
    state.codeScanningAlerts = [codeScanningAlert(7, 'src/lib/auth/csrf.ts', 'critical'), codeScanningAlert(8, 'src/pages/api/upload.ts', 'high')];
    const result = await new GitHubRepositoryInspector({ api, defaultRepository: REPOSITORY }).inspect(MISSION);
    expect(result.metrics).toMatchObject({
      security_critical: 2,
      security_high: 1,
      security_medium: 1,
      security_low: 0,
      dependabot_alerts: 2,
      code_scanning_alerts: 2,
      security_critical_paths: 'package.json, src/lib/auth/csrf.ts',
    });
    expect(result.summary).toContain(
      'security: 2 critical (jsonwebtoken: jsonwebtoken vulnerable to signature bypass (CVE-2025-1001) in package.json; js/missing-token-validation in src/lib/auth/csrf.ts), 1 high, 1 medium',
    );
  });

  it('says which lists are not available to the token (403, 404) instead of failing', async () => {
    state.dependabotAccess = 'forbidden';
    state.codeScanningAccess = 'no_analysis';
    const result = await new GitHubRepositoryInspector({ api, defaultRepository: REPOSITORY }).inspect(MISSION);
    expect(result.status).toBe('ready');
    expect(result.summary).toContain('security: Dependabot alerts not available to this token; code scanning alerts not available to this token');
    expect(result.metrics).toMatchObject({
      dependabot_alerts: 'not available to this token',
      code_scanning_alerts: 'not available to this token',
      security_critical: 0,
    });
  });

  it('raises a play that touches a file with an open critical finding to critical risk', async () => {
    state.codeScanningAlerts = [codeScanningAlert(7, 'src/lib/auth/csrf.ts', 'critical')];
    const inspection = await new GitHubRepositoryInspector({ api, defaultRepository: REPOSITORY }).inspect(MISSION);
    const { service, clock } = inMemoryService();
    const planning = await seedToPlanning(service, clock);
    const { service: withFinding, clock: clock2 } = inMemoryService();
    const mission = await seedToPlanning(withFinding, clock2, undefined, { status: 'ready', summary: inspection.summary, metrics: inspection.metrics });
    const low = {
      ...SEED_PLAY_1,
      title: 'Small CSRF patch',
      risk: { complexity: 'low' as const, impact: 'low' as const, reversibility: 'high' as const, testCoverage: 'strong' as const },
    };
    const untouched = {
      ...low,
      title: 'Docs only',
      codeChangePreview: { filesToModify: 1, filesToCreate: 0, linesAdded: 5, linesRemoved: 0, files: ['docs/auth.md'] },
      mustHaves: { truths: [], artifacts: [], keyLinks: [] },
    };
    const before = (await service.proposePlays({ missionId: planning.id, plays: [low] }, ASSISTANT)).plays.find((p) => p.title === 'Small CSRF patch')!;
    const after = await withFinding.proposePlays({ missionId: mission.id, plays: [low, untouched] }, ASSISTANT);
    expect(before.riskLevel).toBe('high');
    expect(after.plays.find((p) => p.title === 'Small CSRF patch')!.riskLevel).toBe('critical');
    expect(after.plays.find((p) => p.title === 'Docs only')!.riskLevel).not.toBe('critical');
  });
});
