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
import { keyIdOf, parseEncryptionKey, SecretBox } from '../../src/connectors/credentials/secretBox.js';
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
    expect(() => new SecretBox(Buffer.alloc(32, 8).toString('base64')).open(a, 'toolkit-credential:default:github')).toThrow(
      /neither ENCRYPTION_KEY .* nor in ENCRYPTION_KEY_PREVIOUS/,
    );
  });
});

describe('rotating ENCRYPTION_KEY', () => {
  const OLD = KEY;
  const NEW = Buffer.alloc(32, 9).toString('base64');
  const ROW = 'toolkit-credential:default:github';

  it('names the sealing key, and opens old secrets only while the old key is in ENCRYPTION_KEY_PREVIOUS', () => {
    const sealed = new SecretBox(OLD).seal(GITHUB_TOKEN, ROW);
    expect(sealed.keyId).toBe(keyIdOf(parseEncryptionKey(OLD)));
    expect(sealed.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(sealed.keyId).not.toContain(OLD);
    expect(new SecretBox(NEW, OLD).open(sealed, ROW)).toBe(GITHUB_TOKEN);
    expect(() => new SecretBox(NEW).open(sealed, ROW)).toThrow(
      new RegExp(`sealed with key ${sealed.keyId}, which is neither ENCRYPTION_KEY \\(${keyIdOf(parseEncryptionKey(NEW))}\\) nor in ENCRYPTION_KEY_PREVIOUS`),
    );
    // Rows stored before key ids carry none: every configured key is tried.
    expect(new SecretBox(NEW, OLD).open({ ...sealed, keyId: null }, ROW)).toBe(GITHUB_TOKEN);
    expect(() => new SecretBox(NEW).open({ ...sealed, keyId: null }, ROW)).toThrow(/ENCRYPTION_KEY differs/);
    // New secrets go under the new key.
    expect(new SecretBox(NEW, OLD).seal(GITHUB_TOKEN, ROW).keyId).toBe(keyIdOf(parseEncryptionKey(NEW)));
  });

  it('refuses a malformed ENCRYPTION_KEY_PREVIOUS at start, naming it', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: `${OLD},nope` })).toThrow(
      /ENCRYPTION_KEY_PREVIOUS: ENCRYPTION_KEY_PREVIOUS must be one or more former ENCRYPTION_KEYs/,
    );
    expect(loadConfig({ ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: `${OLD}, ${'ab'.repeat(32)}` }).ENCRYPTION_KEY_PREVIOUS).toBe(
      `${OLD}, ${'ab'.repeat(32)}`,
    );
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
    await expect(new CredentialVault(store, undefined).save('default', 'linear', 'x', new Date())).rejects.toThrow(
      /Set ENCRYPTION_KEY before storing credentials/,
    );
  });

  it('`credential set` stores the token encrypted and reports the API check, never the token', async () => {
    server.use(...fakeGitHubHandlers(fakeGitHubState()));
    let output = '';
    const out = new Writable({
      write: (chunk, _enc, done) => {
        output += String(chunk);
        done();
      },
    });
    const config = loadConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: KEY, GITHUB_API_URL: GITHUB_API });
    await runCredentialCommand(['set', '--toolkit', 'github', '--token', GITHUB_TOKEN], config, out);
    await runCredentialCommand(['list'], config, out);
    expect(output).toContain(
      'Stored the github credential for workspace "default" (encrypted). Check against the API: ready, authenticated as mission-control-bot.',
    );
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
    expect(await checker.check('github')).toMatchObject({
      status: 'needs_auth',
      detail: 'token of mission-control-bot lacks the "repo" scope (has: read:org, gist)',
    });
  });

  it('needs auth when the token is refused, and is degraded while the API is down', async () => {
    const fast = { retry: { maxAttempts: 2, baseDelayMs: 1 } };
    server.use(
      http.get(`${GITHUB_API}/user`, () =>
        HttpResponse.json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, { status: 401 }),
      ),
      linear.query('Viewer', () =>
        HttpResponse.json(linearError('internal error', 'INTERNAL_SERVER_ERROR', 'Internal server error', 'Something went wrong.', 500), { status: 500 }),
      ),
    );
    const checker = new ApiAuthChecker({
      probes: {
        github: githubProbe(new GitHubApi({ token: 'ghp_revoked', baseUrl: GITHUB_API, ...fast })),
        linear: linearProbe(new LinearApi({ apiKey: LINEAR_KEY, apiUrl: LINEAR_API, ...fast })),
      },
      fallback: environmentAuthChecker({}),
    });
    expect(await checker.authStatus('github')).toBe('needs_auth');
    expect(await checker.authStatus('linear')).toBe('degraded');
  });
});

describe('logs', () => {
  it('never contain a token, whatever is logged: config, headers, SDK errors', async () => {
    let output = '';
    const logger = createLogger(
      'debug',
      new Writable({
        write: (chunk, _enc, done) => {
          output += String(chunk);
          done();
        },
      }),
    );
    server.use(
      http.get(`${GITHUB_API}/user`, () => HttpResponse.json({ message: 'Bad credentials' }, { status: 401 })),
      linear.query('Viewer', () =>
        HttpResponse.json(
          linearError('authentication error', 'AUTHENTICATION_ERROR', 'Authentication required, not authenticated', 'You need to authenticate.', 401),
          { status: 401 },
        ),
      ),
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
    logger.info(
      {
        options: { headers: { Authorization: LINEAR_KEY } },
        apiKey: LINEAR_KEY,
        token: GITHUB_TOKEN,
        credential: { ciphertext: 'c2VjcmV0', accessToken: GITHUB_TOKEN },
      },
      'client',
    );
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

describe.each(PROVIDERS)('rotating ENCRYPTION_KEY on %s', (provider) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openTestDatabase(provider);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('`credential rotate` re-seals every token under the new key, keeps validation, and the old key can then go', async () => {
    server.use(...fakeGitHubHandlers(fakeGitHubState()));
    const OLD = KEY;
    const NEW = Buffer.alloc(32, 9).toString('base64');
    const out = collect();
    const before = loadConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: OLD, GITHUB_API_URL: GITHUB_API });
    await runCredentialCommand(['set', '--toolkit', 'github', '--token', GITHUB_TOKEN], before, out.stream);
    const store = new PrismaCredentialStore(db.prisma);
    await new CredentialVault(store, OLD).save('other-team', 'linear', LINEAR_KEY, new Date('2025-10-15T09:50:00Z'));
    const oldId = keyIdOf(parseEncryptionKey(OLD));
    const newId = keyIdOf(parseEncryptionKey(NEW));

    // Step 1: every instance runs with the new key and the old one as previous; stored tokens still read.
    const during = loadConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD, GITHUB_API_URL: GITHUB_API });
    expect(await new CredentialVault(store, during.ENCRYPTION_KEY, {}, during.ENCRYPTION_KEY_PREVIOUS).token('github')).toEqual({
      token: GITHUB_TOKEN,
      source: 'stored',
    });
    await runCredentialCommand(['list'], during, out.stream);
    expect(out.text()).toContain(`default\tgithub`);
    expect(out.text()).toContain(`key ${oldId} (old: run \`credential rotate\`)`);

    // Step 2: rotate.
    const validatedBefore = (await db.prisma.toolkitCredential.findFirstOrThrow({ where: { toolkitId: 'github' } })).validatedAt;
    await runCredentialCommand(['rotate'], during, out.stream);
    expect(out.text()).toContain(`Re-sealed default/github (was key ${oldId}) with key ${newId}.`);
    expect(out.text()).toMatch(/2 re-sealed, 0 already under key [0-9a-f]{16}, 0 unreadable\./);
    expect(out.text()).toContain('ENCRYPTION_KEY_PREVIOUS can be removed');
    const rows = await db.prisma.toolkitCredential.findMany({ orderBy: { toolkitId: 'asc' } });
    expect(rows.map((r) => r.keyId)).toEqual([newId, newId]);
    expect(rows[0]!.validatedAt).toEqual(validatedBefore);
    expect(JSON.stringify(rows)).not.toContain(GITHUB_TOKEN);

    // Step 3: the old key is gone; everything still reads. Rotating again changes nothing.
    const after = new CredentialVault(store, NEW);
    expect(await after.token('github')).toEqual({ token: GITHUB_TOKEN, source: 'stored' });
    expect(await after.token('linear', 'other-team')).toEqual({ token: LINEAR_KEY, source: 'stored' });
    expect(await after.rotate()).toEqual({ resealed: [], current: 2, unreadable: [] });
    expect(out.text()).not.toContain(GITHUB_TOKEN);
    expect(out.text()).not.toContain(LINEAR_KEY);
  });

  it('`credential rotate` reports tokens no configured key opens and leaves them untouched', async () => {
    const LOST = Buffer.alloc(32, 3).toString('base64');
    const NEW = Buffer.alloc(32, 9).toString('base64');
    const store = new PrismaCredentialStore(db.prisma);
    await new CredentialVault(store, LOST).save('default', 'github', GITHUB_TOKEN, new Date('2025-10-15T09:50:00Z'));
    const before = await db.prisma.toolkitCredential.findFirstOrThrow();
    const out = collect();
    const config = loadConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: KEY });
    await expect(runCredentialCommand(['rotate'], config, out.stream)).rejects.toThrow(
      /add those keys to ENCRYPTION_KEY_PREVIOUS and run rotate again, or store the tokens again/,
    );
    expect(out.text()).toContain(`Could not open default/github: A stored credential was sealed with key ${keyIdOf(parseEncryptionKey(LOST))}`);
    expect(out.text()).toContain('0 re-sealed, 0 already under key');
    expect(await db.prisma.toolkitCredential.findFirstOrThrow()).toEqual(before);
  });

  it('`credential rotate` without ENCRYPTION_KEY says what to set', async () => {
    await expect(runCredentialCommand(['rotate'], loadConfig({ DATABASE_URL: db.url }), collect().stream)).rejects.toThrow(
      /Set ENCRYPTION_KEY \(the new key\) and ENCRYPTION_KEY_PREVIOUS \(the old one\) before rotating/,
    );
  });
});

function collect(): { stream: Writable; text: () => string } {
  let output = '';
  const stream = new Writable({
    write: (chunk, _enc, done) => {
      output += String(chunk);
      done();
    },
  });
  return { stream, text: () => output };
}
