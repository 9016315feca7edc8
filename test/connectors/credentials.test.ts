// Credentials: sealed with AES-256-GCM, stored per workspace, checked against the API before a
// toolkit shows as ready, and never written to the logs.
import { Writable } from 'node:stream';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ApiAuthChecker, githubProbe, linearProbe } from '../../src/connectors/apiAuthChecker.js';
import { runCredentialCommand } from '../../src/connectors/credentials/credentialCommands.js';
import { CredentialVault } from '../../src/connectors/credentials/credentialVault.js';
import { parseEncryptionKey, SecretBox } from '../../src/connectors/credentials/secretBox.js';
import { environmentAuthChecker } from '../../src/connectors/environmentAuthChecker.js';
import { GitHubApi } from '../../src/connectors/github/githubApi.js';
import { LinearApi } from '../../src/connectors/linear/linearApi.js';
import { createLogger } from '../../src/logger.js';
import { PrismaCredentialStore } from '../../src/storage/prismaCredentialStore.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { fakeGitHubHandlers, fakeGitHubState, GITHUB_API } from './fakeGitHub.js';
import { fakeLinearHandlers, fakeLinearState, LINEAR_API, linear, linearError } from './fakeLinear.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const KEY = Buffer.alloc(32, 7).toString('base64');
const GITHUB_TOKEN = 'ghp_R3alLookingT0kenValue1234567890abcd';
const LINEAR_KEY = 'lin_api_S3cretLinearKeyValue0987654321zyxw';

describe('ENCRYPTION_KEY and the secret box', () => {
  it('accepts 32 bytes as hex or base64 and explains anything else', () => {
    expect(parseEncryptionKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseEncryptionKey(KEY)).toHaveLength(32);
    expect(() => parseEncryptionKey('too-short')).toThrow(/32 random bytes written as 64 hex characters or base64/);
    expect(() => loadConfig({ ENCRYPTION_KEY: 'hunter2' })).toThrow(/Invalid environment: ENCRYPTION_KEY: ENCRYPTION_KEY must be 32 random bytes/);
    expect(loadConfig({ ENCRYPTION_KEY: KEY }).ENCRYPTION_KEY).toBe(KEY);
  });

  it('seals with a fresh IV and binds the ciphertext to its row', () => {
    const box = new SecretBox(KEY);
    const a = box.seal(GITHUB_TOKEN, 'toolkit-credential:default:github');
    const b = box.seal(GITHUB_TOKEN, 'toolkit-credential:default:github');
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toContain(GITHUB_TOKEN);
    expect(box.open(a, 'toolkit-credential:default:github')).toBe(GITHUB_TOKEN);
    expect(() => box.open(a, 'toolkit-credential:default:linear')).toThrow(/could not be decrypted/);
    expect(() => new SecretBox(Buffer.alloc(32, 8).toString('base64')).open(a, 'toolkit-credential:default:github')).toThrow(/ENCRYPTION_KEY differs/);
  });
});

describe.each(PROVIDERS)('stored credentials on %s', (provider) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openTestDatabase(provider);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('stores only ciphertext, prefers the stored token to the environment, and falls back to it', async () => {
    const store = new PrismaCredentialStore(db.prisma);
    const vault = new CredentialVault(store, KEY, { GITHUB_TOKEN: 'ghp_from_environment', LINEAR_API_KEY: LINEAR_KEY });
    expect(await vault.token('github')).toEqual({ token: 'ghp_from_environment', source: 'environment' });
    await vault.save('default', 'github', GITHUB_TOKEN, new Date('2025-10-15T09:50:00Z'));
    expect(await vault.token('github')).toEqual({ token: GITHUB_TOKEN, source: 'stored' });
    expect(await vault.token('linear')).toEqual({ token: LINEAR_KEY, source: 'environment' });
    expect(await vault.token('github', 'other-team')).toBeNull();
    const rows = await db.prisma.toolkitCredential.findMany();
    expect(JSON.stringify(rows)).not.toContain(GITHUB_TOKEN);
    expect(rows[0]).toMatchObject({ workspaceId: 'default', toolkitId: 'github', validatedAt: null });
    await expect(new CredentialVault(store, undefined).token('github')).rejects.toThrow(/ENCRYPTION_KEY is not set/);
    await expect(new CredentialVault(store, undefined).save('default', 'linear', 'x', new Date())).rejects.toThrow(/Set ENCRYPTION_KEY before storing credentials/);
  });

  it('`credential set` stores the token encrypted and reports the API check, never the token', async () => {
    server.use(...fakeGitHubHandlers(fakeGitHubState()));
    let output = '';
    const out = new Writable({ write: (chunk, _enc, done) => {
      output += String(chunk);
      done();
    } });
    const config = loadConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: KEY, GITHUB_API_URL: GITHUB_API });
    await runCredentialCommand(['set', '--toolkit', 'github', '--token', GITHUB_TOKEN], config, out);
    await runCredentialCommand(['list'], config, out);
    expect(output).toContain('Stored the github credential for workspace "default" (encrypted). Check against the API: ready, authenticated as mission-control-bot.');
    expect(output).toMatch(/default\tgithub\tstored .*\tvalidated .*\tscopes repo, read:org/);
    expect(output).not.toContain(GITHUB_TOKEN);
  });
});

describe('auth status from the API', () => {
  it('is ready only when the API accepts the token with the scopes the connector needs', async () => {
    const github = fakeGitHubState();
    server.use(...fakeGitHubHandlers(github), ...fakeLinearHandlers(fakeLinearState()));
    let now = 0;
    const checked: string[] = [];
    const checker = new ApiAuthChecker({
      probes: {
        github: githubProbe(new GitHubApi({ token: GITHUB_TOKEN, baseUrl: GITHUB_API })),
        linear: linearProbe(new LinearApi({ apiKey: LINEAR_KEY, apiUrl: LINEAR_API })),
      },
      fallback: environmentAuthChecker({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }),
      now: () => now,
      onChecked: (toolkitId, check) => checked.push(`${toolkitId}:${check.status}:${check.scopes}`),
    });
    expect(await Promise.all([checker.authStatus('github'), checker.authStatus('github')])).toEqual(['ready', 'ready']);
    expect(await checker.authStatus('linear')).toBe('ready');
    expect(await checker.authStatus('slack')).toBe('unknown');
    expect(checked).toEqual(['github:ready:repo, read:org', 'linear:ready:null']);
    expect(github.requests.filter((r) => r === 'GET /user')).toHaveLength(1);

    // Cached for five minutes, then asked again.
    await checker.authStatus('github');
    expect(github.requests.filter((r) => r === 'GET /user')).toHaveLength(1);
    now += 5 * 60_000;
    server.use(http.get(`${GITHUB_API}/user`, () => HttpResponse.json({ login: 'mission-control-bot' }, { headers: { 'x-oauth-scopes': 'read:org, gist' } })));
    expect(await checker.check('github')).toMatchObject({ status: 'needs_auth', detail: 'token of mission-control-bot lacks the "repo" scope (has: read:org, gist)' });
  });

  it('needs auth when the token is refused, and is degraded while the API is down', async () => {
    const fast = { retry: { maxAttempts: 2, baseDelayMs: 1 } };
    server.use(
      http.get(`${GITHUB_API}/user`, () => HttpResponse.json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, { status: 401 })),
      linear.query('Viewer', () => HttpResponse.json(linearError('internal error', 'INTERNAL_SERVER_ERROR', 'Internal server error', 'Something went wrong.', 500), { status: 500 })),
    );
    const checker = new ApiAuthChecker({
      probes: { github: githubProbe(new GitHubApi({ token: 'ghp_revoked', baseUrl: GITHUB_API, ...fast })), linear: linearProbe(new LinearApi({ apiKey: LINEAR_KEY, apiUrl: LINEAR_API, ...fast })) },
      fallback: environmentAuthChecker({}),
    });
    expect(await checker.authStatus('github')).toBe('needs_auth');
    expect(await checker.authStatus('linear')).toBe('degraded');
  });
});

describe('logs', () => {
  it('never contain a token, whatever is logged: config, headers, SDK errors', async () => {
    let output = '';
    const logger = createLogger('debug', new Writable({ write: (chunk, _enc, done) => {
      output += String(chunk);
      done();
    } }));
    server.use(
      http.get(`${GITHUB_API}/user`, () => HttpResponse.json({ message: 'Bad credentials' }, { status: 401 })),
      linear.query('Viewer', () => HttpResponse.json(linearError('authentication error', 'AUTHENTICATION_ERROR', 'Authentication required, not authenticated', 'You need to authenticate.', 401), { status: 401 })),
    );
    // Raw SDK errors, as a careless `logger.error({ err })` would log them.
    const { Octokit } = await import('@octokit/rest');
    const octokitError = await new Octokit({ auth: GITHUB_TOKEN, baseUrl: GITHUB_API }).request('GET /user').catch((e: unknown) => e);
    const { LinearClient } = await import('@linear/sdk');
    const linearClient = new LinearClient({ apiKey: LINEAR_KEY, apiUrl: LINEAR_API });
    const linearError_ = await linearClient.client.rawRequest('query Viewer { viewer { id } }').catch((e: unknown) => e);
    const connectorError = await new GitHubApi({ token: GITHUB_TOKEN, baseUrl: GITHUB_API }).get('GET /user').catch((e: unknown) => e);

    logger.info({ config: { GITHUB_TOKEN, LINEAR_API_KEY: LINEAR_KEY, ENCRYPTION_KEY: KEY } }, 'configuration');
    logger.info({ GITHUB_TOKEN, LINEAR_API_KEY: LINEAR_KEY }, 'environment');
    logger.info({ request: { headers: { authorization: `token ${GITHUB_TOKEN}` } } }, 'outgoing request');
    logger.info({ options: { headers: { Authorization: LINEAR_KEY } }, apiKey: LINEAR_KEY, token: GITHUB_TOKEN, credential: { ciphertext: 'c2VjcmV0', accessToken: GITHUB_TOKEN } }, 'client');
    logger.error({ err: octokitError }, 'octokit failed');
    logger.error({ err: linearError_ }, 'linear failed');
    logger.error({ err: connectorError }, 'connector failed');
    logger.error({ err: linearClient }, 'a client object logged by mistake');
    logger.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(output).toContain('octokit failed');
    expect(output).toContain('Bad credentials');
    expect(output).not.toContain(GITHUB_TOKEN);
    expect(output).not.toContain(LINEAR_KEY);
    expect(output).not.toContain(KEY);
  });
});
