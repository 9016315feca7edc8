// GitHub webhook deliveries over HTTP to a started server, shaped as GitHub sends them (payloads
// from @octokit/webhooks-examples, signed with the secret as GitHub signs them): they drive a
// mission's CI and review gates and a canary release to done; unsigned, wrongly signed, replayed
// and malformed deliveries are refused and change nothing.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { GITHUB_CONNECTOR } from '../../src/connectors/github/pullRequestEvidence.js';
import { githubWebhookHandler } from '../../src/connectors/github/webhookHandler.js';
import { GitHubEventService } from '../../src/domain/githubEventService.js';
import type { MissionService } from '../../src/domain/missionService.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { PrismaGitHubDeliveries } from '../../src/storage/prismaGitHubDeliveries.js';
import { freshDatabaseUrl, openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { SEED_ARTIFACTS, seedToExecuting, signOffTruths, executeSeedPhases, seedService } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const REPO = 'jordan-nakamura/legaltech-mvp';
const PR_URL = `https://github.com/${REPO}/pull/47`;
const HEAD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const MERGE = 'f0e1d2c3b4a5968778695a4b3c2d1e0f98765432';
const MINUTE = 60_000;

type Example = { name: string; examples: Array<Record<string, unknown>> };
/** A real payload of `event` (its first example with `action`), deep-copied so a test can shape it. */
// biome-ignore lint/suspicious/noExplicitAny: GitHub's example payloads, reshaped freely by the test
function example(event: string, action?: string): any {
  const all = (examples as unknown as Example[]).find((e) => e.name === event)!.examples;
  const found = action === undefined ? all[0] : all.find((e) => e.action === action);
  return structuredClone(found);
}

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

let deliveryCounter = 0;

describe.each(PROVIDERS)('GitHub webhooks (%s)', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;
  let events: GitHubEventService;
  let deliveries: PrismaGitHubDeliveries;
  let server: Server;
  let url: string;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock('2025-10-15T09:47:00.000Z');
    service = seedService(db.missions, clock);
    events = new GitHubEventService(service, 30);
    deliveries = new PrismaGitHubDeliveries(db.prisma);
    const handler = githubWebhookHandler({ secret: SECRET, events, deliveries, logger: pino({ level: 'silent' }), now: () => clock.now().getTime() });
    server = createServer((req, res) => {
      handler(req, res).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    const { port } = await listen(server, '127.0.0.1', 0);
    url = `http://127.0.0.1:${port}/github/webhooks`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.destroy();
  });

  async function deliver(event: string, payload: unknown, options: { secret?: string; signature?: string | null; deliveryId?: string; body?: string } = {}) {
    const body = options.body ?? JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/044aadd',
      'x-github-event': event,
      'x-github-delivery': options.deliveryId ?? `72d3162e-cc78-11e3-81ab-${String(++deliveryCounter).padStart(12, '0')}`,
      'x-github-hook-id': '292430182',
    };
    const signature = options.signature === undefined ? sign(body, options.secret) : options.signature;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  function pullRequest(action: string, missionId: string, changes: Record<string, unknown> = {}) {
    const payload = example('pull_request', action);
    payload.number = 47;
    Object.assign(payload.pull_request, {
      number: 47,
      html_url: PR_URL,
      title: 'Incremental auth hardening',
      body: `Refactors the auth module.\n\nMission: ${missionId}`,
      head: { ...payload.pull_request.head, ref: 'feat/auth-refactor-mission-2025-10', sha: HEAD },
      ...changes,
    });
    payload.repository.full_name = REPO;
    return payload;
  }

  function checkRun(name: string, status: 'queued' | 'completed', conclusion: string | null) {
    const payload = example('check_run', status === 'queued' ? 'created' : 'completed');
    Object.assign(payload.check_run, { name, head_sha: HEAD, status, conclusion, pull_requests: [{ ...payload.check_run.pull_requests[0], number: 47 }] });
    payload.repository.full_name = REPO;
    return payload;
  }

  function review(state: 'approved' | 'changes_requested', login: string, missionId: string) {
    const payload = example('pull_request_review', 'submitted');
    payload.review.state = state;
    payload.review.user.login = login;
    Object.assign(payload.pull_request, pullRequest('opened', missionId).pull_request);
    payload.repository.full_name = REPO;
    return payload;
  }

  function deploymentStatus(
    id: number,
    environment: string,
    state: string,
    extra: { description?: string; url?: string; sha?: string; production?: boolean; transient?: boolean } = {},
  ) {
    const payload = example('deployment_status');
    Object.assign(payload.deployment, {
      id,
      environment,
      sha: extra.sha ?? MERGE,
      ref: 'main',
      production_environment: extra.production ?? false,
      transient_environment: extra.transient ?? false,
    });
    Object.assign(payload.deployment_status, { state, environment, description: extra.description ?? '', environment_url: extra.url ?? '' });
    payload.repository.full_name = REPO;
    return payload;
  }

  async function executedMission(): Promise<string> {
    const { id } = await seedToExecuting(service, clock);
    await executeSeedPhases(service, clock, id);
    // The assistant attaches PR #47 with "2 checks passing" itself: kept, shown as reported, never counted.
    await service.attachEvidence({ missionId: id, phaseId: 'testing_deployment', ...SEED_ARTIFACTS[0]! }, ASSISTANT);
    return id;
  }

  /** Everything stored about a mission and the deliveries: a refused delivery must leave all of it as it was. */
  async function stored(missionId: string) {
    return { mission: await db.missions.get(missionId), events: (await db.missions.events(missionId)).length, deliveries: await deliveries.count() };
  }

  it('drives the CI and review gates from what GitHub reported, then a canary release through monitoring to done', async () => {
    const id = await executedMission();

    // The assistant's own "2 checks passing" does not open the gate: the code review is missing, and nothing GitHub reported yet.
    await expect(service.completeMission({ missionId: id }, ASSISTANT)).rejects.toThrow(/Code review approved/);

    expect(await deliver('pull_request', pullRequest('opened', id))).toMatchObject({ status: 200, body: { status: 'applied', missions: [id] } });
    expect(await deliver('check_run', checkRun('ci / test', 'queued', null))).toMatchObject({ status: 200, body: { status: 'applied' } });
    expect(await deliver('check_run', checkRun('ci / typecheck', 'queued', null))).toMatchObject({ status: 200 });
    await deliver('check_run', checkRun('ci / test', 'completed', 'success'));
    const pending = await service.completeMission({ missionId: id }, ASSISTANT).catch((e: Error) => e);
    expect((pending as Error).message).toContain('CI checks passing: not passing: ci / typecheck (pending)');
    await deliver('check_run', checkRun('ci / typecheck', 'completed', 'success'));
    await deliver('pull_request_review', review('approved', 'advisor_001', id));
    await signOffTruths(service, id); // the person's UAT sign-off: truths are never the assistant's word

    const completed = await service.completeMission({ missionId: id }, ASSISTANT);
    const gate = Object.fromEntries(completed.execution!.finalGate!.checks.map((c) => [c.id, c.detail]));
    expect(gate.ci_checks).toBe('2 checks passing, as GitHub reported');
    expect(gate.code_review).toBe('approved by advisor_001 (GitHub Pull Request #47)');
    expect(completed.execution!.pullRequests).toMatchObject([
      { number: 47, headSha: HEAD, state: 'open', reviews: [{ reviewer: 'advisor_001', state: 'approved' }] },
    ]);
    const prEvidence = completed.evidence.artifacts.filter((a) => a.name === 'GitHub Pull Request #47');
    expect(prEvidence[0]!.attachedBy).toEqual(ASSISTANT);
    expect(prEvidence.slice(1).every((a) => a.attachedBy.kind === 'system' && a.attachedBy.id === GITHUB_CONNECTOR.id)).toBe(true);

    // Merged: the production deployment of the merge commit belongs to the mission.
    const merged = pullRequest('closed', id, { state: 'closed', merged: true, merged_at: '2025-10-15T14:18:00Z', merge_commit_sha: MERGE });
    await deliver('pull_request', merged);

    // Preview with its URL, then canary 10% -> 50% -> production 100%.
    await deliver('deployment_status', deploymentStatus(901, 'Preview', 'success', { url: 'https://preview-auth-refactor.vercel.app', transient: true }));
    await deliver('deployment_status', deploymentStatus(902, 'production-canary', 'in_progress', { description: '10%' }));
    await deliver('deployment_status', deploymentStatus(902, 'production-canary', 'success', { description: '10%' }));
    clock.advance(15 * MINUTE);
    await deliver('deployment_status', deploymentStatus(903, 'production-canary', 'success', { description: '50%' }));
    clock.advance(15 * MINUTE);
    const production = await deliver(
      'deployment_status',
      deploymentStatus(904, 'production', 'success', { production: true, url: 'https://app.legaltech.example' }),
    );
    expect(production).toMatchObject({ status: 200, body: { status: 'applied', missions: [id] } });

    let mission = await service.getMission({ missionId: id });
    expect(mission.state).toBe('reflecting');
    expect(mission.execution!.release!.deployments.map((d) => [d.kind, d.canaryPercent, d.state, d.url])).toEqual([
      ['preview', null, 'success', 'https://preview-auth-refactor.vercel.app'],
      ['canary', 10, 'success', null],
      ['canary', 50, 'success', null],
      ['production', null, 'success', 'https://app.legaltech.example'],
    ]);
    // While production is watched the undo plan is live again (the seed: rollback through the production deploy).
    expect(mission.execution!.undo.status).toBe('available');
    expect(mission.execution!.release!.monitoring).toMatchObject({
      environment: 'production',
      closedAt: null,
      endsAt: new Date(clock.now().getTime() + 30 * MINUTE).toISOString(),
    });

    clock.advance(29 * MINUTE);
    expect(await events.closeDueMonitoringWindows(GITHUB_CONNECTOR, clock.now())).toBe(0);
    clock.advance(2 * MINUTE);
    expect(await events.closeDueMonitoringWindows(GITHUB_CONNECTOR, clock.now())).toBe(1);
    mission = await service.getMission({ missionId: id });
    expect(mission.execution!.release!.monitoring).toMatchObject({ outcome: 'healthy' });
    expect(mission.execution!.undo.status).toBe('expired');

    const log = await service.events({ missionId: id });
    const release = log.filter((e) => ['deployment_started', 'deployment_completed', 'canary_promoted', 'monitoring_report'].includes(e.type));
    expect(release.map((e) => e.type)).toEqual([
      'deployment_started',
      'deployment_completed',
      'deployment_started',
      'deployment_completed',
      'canary_promoted',
      'deployment_started',
      'deployment_completed',
      'canary_promoted',
      'deployment_started',
      'deployment_completed',
      'canary_promoted',
      'monitoring_report',
    ]);
    expect(
      release
        .filter((e) => e.type === 'canary_promoted')
        .map((e) => {
          const p = e.payload as { from_percent: number; to_percent: number };
          return [p.from_percent, p.to_percent];
        }),
    ).toEqual([
      [0, 10],
      [10, 50],
      [50, 100],
    ]);
    expect(release.at(-1)!.payload).toMatchObject({ environment: 'production', window_mins: 30, deployments_failed: 0, outcome: 'healthy' });
    expect(release.every((e) => e.actor.kind === 'system' && e.actor.id === 'github-connector' && e.stage === 'reflect_improve')).toBe(true);

    await service.submitFeedback({ missionId: id, rating: 5 }, JORDAN);
    const done = await service.submitRetrospective({ missionId: id }, JORDAN);
    expect(done.state).toBe('done');
  });

  it('raises a review alert when a deployment fails, and rolls back through the production deploy while it is watched', async () => {
    const id = await executedMission();
    await deliver('pull_request', pullRequest('opened', id));
    await deliver('check_run', checkRun('ci / test', 'completed', 'success'));
    await deliver('pull_request_review', review('approved', 'advisor_001', id));
    await signOffTruths(service, id);
    await service.completeMission({ missionId: id }, ASSISTANT);
    await deliver('pull_request', pullRequest('closed', id, { state: 'closed', merged: true, merge_commit_sha: MERGE }));

    await deliver('deployment_status', deploymentStatus(910, 'production-canary', 'failure', { description: '10% — error rate 4%' }));
    let mission = await service.getMission({ missionId: id });
    expect(mission.execution!.alerts.at(-1)).toMatchObject({
      type: 'review_required',
      severity: 'high',
      status: 'open',
      description: 'Canary step 10% (production-canary) failed: 10% — error rate 4%. Decide whether to roll back or redeploy.',
    });
    // Rollback is not open yet: nothing reached production.
    await expect(service.requestRollback({ missionId: id, reason: 'canary failed' }, JORDAN)).rejects.toThrow(/execution is over/);

    await deliver('deployment_status', deploymentStatus(911, 'production', 'success', { production: true }));
    mission = await service.requestRollback({ missionId: id, reason: 'Session errors after the production deploy' }, JORDAN);
    expect(mission.state).toBe('rolled_back');
    expect(mission.execution!.release!.monitoring).toMatchObject({ outcome: 'rolled_back' });
    expect(mission.execution!.undo).toMatchObject({ status: 'executed', reason: 'Session errors after the production deploy' });
    const types = (await service.events({ missionId: id })).map((e) => e.type);
    expect(types.slice(-4)).toEqual(['monitoring_report', 'undo_requested', 'undo_completed', 'mission_stage_transition']);
  });

  it('refuses unsigned, wrongly signed, tampered, replayed and malformed deliveries, and writes nothing', async () => {
    const id = await executedMission();
    const opened = pullRequest('opened', id);
    const before = await stored(id);

    const unsigned = await deliver('pull_request', opened, { signature: null });
    expect(unsigned).toEqual({ status: 401, body: { error: expect.stringContaining('Unsigned delivery: the X-Hub-Signature-256 header is missing') } });
    const wrongSecret = await deliver('pull_request', opened, { secret: 'another-secret-0123456789abcdef' });
    expect(wrongSecret).toEqual({ status: 401, body: { error: expect.stringContaining('Signature mismatch') } });
    const tampered = await deliver('pull_request', opened, {
      signature: sign(JSON.stringify(opened)),
      body: JSON.stringify({ ...opened, action: 'synchronize' }),
    });
    expect(tampered.status).toBe(401);
    const garbage = await deliver('pull_request', opened, { signature: 'sha256=zz' });
    expect(garbage.status).toBe(401);
    expect(await deliver('pull_request', null, { body: '{"action": "opened", ' })).toEqual({
      status: 400,
      body: { error: expect.stringContaining('Malformed delivery: the body is not JSON') },
    });
    const noHead = pullRequest('opened', id);
    delete noHead.pull_request.head;
    expect(await deliver('pull_request', noHead)).toEqual({
      status: 400,
      body: { error: 'Malformed delivery: pull_request payload is malformed: pull_request.head: Invalid input: expected object, received undefined.' },
    });
    const badState = deploymentStatus(1, 'production', 'exploded');
    expect(await deliver('deployment_status', badState)).toMatchObject({ status: 400, body: { error: expect.stringContaining('unknown state "exploded"') } });
    expect(await deliver('pull_request', opened, { deliveryId: '' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('Missing X-GitHub-Delivery header') },
    });
    expect(await stored(id)).toEqual(before);

    // Accepted once; the same delivery id again (GitHub's redelivery, or a replay) changes nothing.
    const first = await deliver('pull_request', opened, { deliveryId: 'delivery-47-opened' });
    expect(first).toMatchObject({ status: 200, body: { status: 'applied', missions: [id] } });
    const afterFirst = await stored(id);
    const synchronize = pullRequest('synchronize', id, { head: { ref: 'feat/auth-refactor-mission-2025-10', sha: 'b'.repeat(40) } });
    expect(await deliver('pull_request', synchronize, { deliveryId: 'delivery-47-opened' })).toEqual({
      status: 200,
      body: { status: 'duplicate', deliveryId: 'delivery-47-opened' },
    });
    expect(await stored(id)).toEqual(afterFirst);
  });

  it('links a pull request by its branch name or the link_pull_request evidence, and ignores events for no mission', async () => {
    const id = await executedMission();
    const byBranch = pullRequest('opened', id, { body: 'No marker here', head: { ref: `mission/${id}-auth`, sha: HEAD } });
    expect(await deliver('pull_request', byBranch)).toMatchObject({ body: { status: 'applied', missions: [id] } });

    const other = await executedMission();
    await service.attachEvidence(
      { missionId: other, name: 'GitHub Pull Request #48', kind: 'link', url: `https://github.com/${REPO}/pull/48` },
      GITHUB_CONNECTOR,
    );
    const linked = pullRequest('opened', 'nobody', {
      number: 48,
      html_url: `https://github.com/${REPO}/pull/48`,
      body: null,
      head: { ref: 'fix/other', sha: 'c'.repeat(40) },
    });
    expect(await deliver('pull_request', linked)).toMatchObject({ body: { status: 'applied', missions: [other] } });

    const stranger = pullRequest('opened', 'nobody', {
      number: 99,
      html_url: `https://github.com/${REPO}/pull/99`,
      body: 'unrelated',
      head: { ref: 'chore/x', sha: 'd'.repeat(40) },
    });
    expect(await deliver('pull_request', stranger)).toMatchObject({ status: 200, body: { status: 'no_change', missions: [] } });
    // Events we do not follow are acknowledged and ignored.
    expect(await deliver('issues', example('issues'))).toMatchObject({ status: 202, body: { status: 'ignored' } });
    expect(await deliver('pull_request', pullRequest('labeled', id))).toMatchObject({ status: 202, body: { status: 'ignored' } });
  });
});

describe('the /github/webhooks route of a started server', () => {
  it('answers 503 with how to turn webhooks on when no secret is set, and 401 to an unsigned delivery when one is', async () => {
    for (const secret of [undefined, SECRET]) {
      const database = freshDatabaseUrl('sqlite');
      const app = await createApp(loadConfig({ DATABASE_URL: database.url, ...(secret ? { GITHUB_WEBHOOK_SECRET: secret } : {}) }), pino({ level: 'silent' }));
      const server = createHttpServer(app);
      const { port } = await listen(server, '127.0.0.1', 0);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/github/webhooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-1' },
          body: JSON.stringify(example('ping')),
        });
        const body = (await response.json()) as { error: string };
        if (secret) expect([response.status, body.error]).toEqual([401, expect.stringContaining('Unsigned delivery')]);
        else expect([response.status, body.error]).toEqual([503, expect.stringContaining('set GITHUB_WEBHOOK_SECRET')]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
        await app.close();
        await database.cleanup();
      }
    }
  });
});
