// Handing an approved mission to GitHub Actions (workflow_dispatch) through the `executor` feed
// consumer, against a fake GitHub that answers as the real one: 204 on success, 404 for an
// unknown workflow, 422 for a workflow without the trigger or a ref that does not exist, 401
// for a bad token, 403 with x-ratelimit-remaining 0 when the rate limit is spent.
import { setupServer } from 'msw/node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { EXECUTOR_ACTOR, ExecutorDispatchConsumer, recordParkedDispatch } from '../../src/connectors/executorDispatch.js';
import { viewMission } from '../../src/mcp/missionView.js';
import { freshDatabaseUrl, PROVIDERS, type Provider } from '../support/databases.js';
import { seedToExecuting } from '../support/seedJourney.js';
import { TestClock } from '../support/testRuntime.js';
import { fakeGitHubHandlers, fakeGitHubState, FULL_NAME, GITHUB_API, type FakeGitHubState } from './fakeGitHub.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TOKEN = 'ghp_executor0123456789abcdefghijklmnopq';
const MCP_URL = 'https://mission-control.example.com/mcp';

let opened: { app: App; cleanup: () => Promise<void> } | null = null;
afterEach(async () => {
  await opened?.app.close();
  await opened?.cleanup();
  opened = null;
});

async function openApp(provider: Provider, github: FakeGitHubState, env: Record<string, string> = {}): Promise<App> {
  server.use(...fakeGitHubHandlers(github));
  const database = freshDatabaseUrl(provider);
  const variables: Record<string, string> = {
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: GITHUB_API,
    GITHUB_REPOSITORY: FULL_NAME,
    GITHUB_EXECUTOR_WORKFLOW: 'mission.yml',
    MCP_PUBLIC_URL: MCP_URL,
    SLACK_APPROVERS: 'U0ADVISOR,U0SECLEAD',
    ...env,
  };
  // An empty value leaves the variable unset.
  for (const [key, value] of Object.entries(variables)) if (value === '') delete variables[key];
  const config = loadConfig(variables);
  const app = await createApp(config, pino({ level: 'silent' }));
  opened = { app, cleanup: database.cleanup };
  return app;
}

const eventTypes = async (app: App, missionId: string) => (await app.missions.events({ missionId })).map((e) => e.type);
const dispatchEvents = async (app: App, missionId: string) => (await eventTypes(app, missionId)).filter((t) => t.startsWith('executor_'));

describe.each(PROVIDERS)('executor dispatch to GitHub Actions (%s)', (provider) => {
  it('dispatches the approved mission once, on the default branch, with its id and the MCP URL', async () => {
    const github = fakeGitHubState();
    github.actionsToken = TOKEN;
    const app = await openApp(provider, github);
    const mission = await seedToExecuting(app.missions, new TestClock());
    expect(mission.state).toBe('executing');

    await app.feedWorker.runOnce();
    expect(github.dispatches).toEqual([{ workflow: 'mission.yml', ref: 'main', inputs: { mission_id: mission.id, mcp_url: MCP_URL } }]);
    const after = await app.missions.getMission({ missionId: mission.id });
    expect(after.execution!.dispatch).toMatchObject({
      executor: 'github_actions',
      repository: FULL_NAME,
      workflow: 'mission.yml',
      ref: null,
      status: 'dispatched',
      runsUrl: `https://github.com/${FULL_NAME}/actions/workflows/mission.yml`,
      error: null,
    });
    expect(await dispatchEvents(app, mission.id)).toEqual(['executor_dispatch_requested', 'executor_dispatched']);
    // An assistant reading the mission (get_mission) sees that CI has it.
    expect(viewMission(after).execution!.dispatch).toMatchObject({ status: 'dispatched', workflow: 'mission.yml', repository: FULL_NAME });
    const recorded = (await app.missions.events({ missionId: mission.id })).filter((e) => e.type.startsWith('executor_'));
    expect(recorded.every((e) => e.actor.kind === 'system' && e.actor.id === EXECUTOR_ACTOR.id)).toBe(true);

    // Later events (the assistant's reports) wake the consumer again: nothing is sent twice.
    await app.missions.reportProgress(
      { missionId: mission.id, kind: 'phase_started', phaseId: after.execution!.phases[0]!.phaseId },
      { kind: 'mcp_token', id: 'claude-code', onBehalfOf: 'U0JORDAN' },
    );
    await app.feedWorker.runOnce();
    await app.feedWorker.runOnce();
    expect(github.dispatches).toHaveLength(1);
    expect(await dispatchEvents(app, mission.id)).toEqual(['executor_dispatch_requested', 'executor_dispatched']);
  });

  it('runs on GITHUB_EXECUTOR_REF when set', async () => {
    const github = fakeGitHubState();
    const app = await openApp(provider, github, { GITHUB_EXECUTOR_REF: 'feat/auth-refactor-mission-2025-10' });
    const mission = await seedToExecuting(app.missions, new TestClock());
    await app.feedWorker.runOnce();
    expect(github.dispatches.map((d) => d.ref)).toEqual(['feat/auth-refactor-mission-2025-10']);
    expect((await app.missions.getMission({ missionId: mission.id })).execution!.dispatch).toMatchObject({
      status: 'dispatched',
      ref: 'feat/auth-refactor-mission-2025-10',
    });
  });

  interface RefusalCase {
    name: string;
    env: Record<string, string>;
    arrange: (github: FakeGitHubState) => void;
    error: RegExp;
  }
  it.each<RefusalCase>([
    {
      name: '404: the workflow does not exist',
      env: { GITHUB_EXECUTOR_WORKFLOW: 'missing.yml' },
      arrange: () => undefined,
      error:
        /GitHub found no workflow "missing\.yml" in jordan-nakamura\/legaltech-mvp \(404\): add \.github\/workflows\/missing\.yml with a workflow_dispatch trigger/,
    },
    {
      name: '422: the workflow has no workflow_dispatch trigger',
      env: { GITHUB_EXECUTOR_WORKFLOW: 'ci.yml' },
      arrange: () => undefined,
      error:
        /GitHub refused to start "ci\.yml" on ref "main" of jordan-nakamura\/legaltech-mvp \(422\).*GitHub said: Workflow does not have 'workflow_dispatch' trigger/,
    },
    {
      name: '422: the ref does not exist',
      env: { GITHUB_EXECUTOR_REF: 'release/nope' },
      arrange: () => undefined,
      error: /ref "release\/nope".*GitHub said: No ref found for: release\/nope/,
    },
    {
      name: '401: the token is revoked',
      env: {},
      arrange: (g: FakeGitHubState) => {
        g.actionsToken = 'ghp_someoneelse';
      },
      error: /GitHub refused the token \(401\): the GitHub token is missing, expired or revoked/,
    },
    {
      name: '403: the token may not start workflows',
      env: {},
      arrange: (g: FakeGitHubState) => {
        g.actionsForbidden = true;
      },
      error:
        /The GitHub token may not start workflows in jordan-nakamura\/legaltech-mvp \(403\): it needs the Actions "write" permission.*GitHub said: Resource not accessible by personal access token/,
    },
    {
      name: 'no repository: the brief names none and GITHUB_REPOSITORY is unset',
      env: { GITHUB_REPOSITORY: '' },
      arrange: () => undefined,
      error: /No repository to run it in: the brief names none/,
    },
  ])('records a refusal in words and sends nothing more: $name', async ({ env, arrange, error }) => {
    const github = fakeGitHubState();
    arrange(github);
    const app = await openApp(provider, github, env);
    const mission = await seedToExecuting(app.missions, new TestClock());
    await app.feedWorker.runOnce();
    const dispatch = (await app.missions.getMission({ missionId: mission.id })).execution!.dispatch!;
    expect(dispatch.status).toBe('failed');
    expect(dispatch.error).toMatch(error);
    expect(dispatch.error).not.toContain(TOKEN);
    expect(github.dispatches).toEqual([]);
    const failed = (await app.missions.events({ missionId: mission.id })).find((e) => e.type === 'executor_dispatch_failed');
    expect((failed!.payload as { error?: string }).error).toBe(dispatch.error);
    // Refusals are final: more events do not send it again.
    const posts = github.requests.filter((r) => r.startsWith('POST') && r.includes('/dispatches')).length;
    await app.missions.attachEvidence(
      { missionId: mission.id, name: 'notes', kind: 'markdown', content: '# notes' },
      { kind: 'mcp_token', id: 'claude-code', onBehalfOf: 'U0JORDAN' },
    );
    await app.feedWorker.runOnce();
    expect(github.requests.filter((r) => r.startsWith('POST') && r.includes('/dispatches')).length).toBe(posts);
  });

  it('a spent rate limit is retried later, not recorded as a failure; the retry dispatches once', async () => {
    const github = fakeGitHubState();
    github.actionsRateLimited = true;
    const app = await openApp(provider, github);
    const mission = await seedToExecuting(app.missions, new TestClock());
    const consumer = new ExecutorDispatchConsumer({ service: app.missions, dispatcher: app.connectors.executor, logger: pino({ level: 'silent' }) });
    const refused = await consumer.handle({ missionId: mission.id }).then(
      () => null,
      (e: unknown) => e as { failure?: string; retryAfterMs?: number | null },
    );
    expect(refused).toMatchObject({ failure: 'rate_limited' });
    expect(refused!.retryAfterMs).toBeGreaterThan(60_000);
    expect((await app.missions.getMission({ missionId: mission.id })).execution!.dispatch).toMatchObject({ status: 'requested' });
    expect(await dispatchEvents(app, mission.id)).toEqual(['executor_dispatch_requested']);

    github.actionsRateLimited = false;
    await consumer.handle({ missionId: mission.id });
    expect(github.dispatches).toHaveLength(1);
    expect((await app.missions.getMission({ missionId: mission.id })).execution!.dispatch).toMatchObject({ status: 'dispatched' });
  });

  it('a dispatch the feed parks after repeated transient failures is recorded as failed, so the thread stops saying "dispatching"', async () => {
    const github = fakeGitHubState();
    github.actionsRateLimited = true;
    const app = await openApp(provider, github);
    const mission = await seedToExecuting(app.missions, new TestClock());
    const consumer = new ExecutorDispatchConsumer({ service: app.missions, dispatcher: app.connectors.executor, logger: pino({ level: 'silent' }) });
    await expect(consumer.handle({ missionId: mission.id })).rejects.toMatchObject({ failure: 'rate_limited' });
    await recordParkedDispatch(app.missions, mission.id, 'GitHub rate limit reached');
    const dispatch = (await app.missions.getMission({ missionId: mission.id })).execution!.dispatch!;
    expect(dispatch).toMatchObject({ status: 'failed', error: 'GitHub Actions could not be reached after repeated attempts (GitHub rate limit reached).' });
    expect(github.dispatches).toEqual([]);
    // Parking again (or a dispatch already decided) changes nothing.
    await recordParkedDispatch(app.missions, mission.id, 'again');
    expect(await dispatchEvents(app, mission.id)).toEqual(['executor_dispatch_requested', 'executor_dispatch_failed']);
  });

  it('after a crash between dispatching and recording it, finds the run GitHub started instead of dispatching again', async () => {
    const github = fakeGitHubState();
    const app = await openApp(provider, github);
    const mission = await seedToExecuting(app.missions, new TestClock());
    // The previous process recorded the request and GitHub accepted the dispatch, then it died.
    const target = { executor: 'github_actions' as const, repository: FULL_NAME, workflow: 'mission.yml', ref: null };
    const requested = await app.missions.recordExecutorDispatch({ missionId: mission.id, phase: 'requested', ...target }, EXECUTOR_ACTOR);
    const api = app.connectors.executor!;
    expect(await api.dispatch(requested, target)).toMatchObject({ kind: 'dispatched' });
    expect(github.dispatches).toHaveLength(1);

    await app.feedWorker.runOnce();
    expect(github.dispatches).toHaveLength(1);
    const dispatch = (await app.missions.getMission({ missionId: mission.id })).execution!.dispatch!;
    expect(dispatch).toMatchObject({ status: 'dispatched', runsUrl: github.workflowRuns[0]!.html_url });
    const found = (await app.missions.events({ missionId: mission.id })).find((e) => e.type === 'executor_dispatched');
    expect(found?.payload).toMatchObject({ found_existing: true });
  });

  it('without GITHUB_EXECUTOR_WORKFLOW nothing is dispatched and the mission records no dispatch', async () => {
    const github = fakeGitHubState();
    const app = await openApp(provider, github, { GITHUB_EXECUTOR_WORKFLOW: '' });
    const mission = await seedToExecuting(app.missions, new TestClock());
    await app.feedWorker.runOnce();
    expect(github.requests.filter((r) => r.includes('/actions/'))).toEqual([]);
    expect((await app.missions.getMission({ missionId: mission.id })).execution!.dispatch ?? null).toBeNull();
    expect((await app.db.feed.stats('executor', new Date())).pending).toBe(0);
  });
});

describe('executor configuration', () => {
  it('refuses GITHUB_EXECUTOR_WORKFLOW without MCP_PUBLIC_URL, and a workflow that is not a file name', () => {
    expect(() => loadConfig({ GITHUB_EXECUTOR_WORKFLOW: 'mission.yml' })).toThrow(/MCP_PUBLIC_URL: set it to this server's MCP URL as reachable from CI/);
    expect(() => loadConfig({ GITHUB_EXECUTOR_WORKFLOW: '.github/workflows/mission.yml', MCP_PUBLIC_URL: MCP_URL })).toThrow(
      /GITHUB_EXECUTOR_WORKFLOW must be a workflow file name such as mission.yml/,
    );
    expect(() => loadConfig({ GITHUB_EXECUTOR_WORKFLOW: 'mission.yml', MCP_PUBLIC_URL: 'not a url' })).toThrow(/MCP_PUBLIC_URL must be an http\(s\) URL/);
    expect(loadConfig({ GITHUB_EXECUTOR_WORKFLOW: 'mission.yml', MCP_PUBLIC_URL: MCP_URL })).toMatchObject({
      GITHUB_EXECUTOR_WORKFLOW: 'mission.yml',
      MCP_PUBLIC_URL: MCP_URL,
    });
  });
});
