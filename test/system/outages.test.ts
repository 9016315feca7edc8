// Slack and Linear answering 429 (Retry-After) and 500 for a while, under a running
// `mission-control start`: missions go on (the front doors do not wait for either), nothing is
// delivered meanwhile, and once both recover every Slack surface is posted once showing the
// final state and every follow-up is filed in Linear once (the feed cursors only move on success).
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { FakeLinearServer } from '../support/fakeLinearServer.js';
import { FakeSlack } from '../support/fakeSlack.js';
import {
  burstPlay,
  checkSlackShowsFinalState,
  eventually,
  freshInstanceDatabaseUrl,
  McpPeer,
  MCP_SECRET,
  onCleanup,
  openLedger,
  REQUESTER,
  runCleanups,
  SIGNING_SECRET,
  sleep,
  startInstance,
  troubleIn,
} from '../support/systemHarness.js';

afterEach(runCleanups);

describe.each(PROVIDERS)('Slack and Linear failing for a while (%s)', (provider) => {
  it('delivers every Slack surface and files every Linear follow-up once, after both recover', { timeout: 240_000 }, async () => {
    const slack = new FakeSlack();
    await slack.start();
    onCleanup(() => slack.stop());
    const linear = new FakeLinearServer();
    await linear.start();
    onCleanup(() => linear.stop());
    // Failing from the start: every Slack call and every Linear request, alternately 429 and 500.
    for (let i = 0; i < 5000; i++) slack.failNext(1, i % 2 === 0 ? { status: 429, retryAfter: 1 } : { status: 500 });
    linear.failWith([{ status: 429, retryAfter: 1 }, { status: 500 }]);

    const url = freshInstanceDatabaseUrl(provider);
    const instance = await startInstance('outage', {
      DATABASE_URL: url,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_APPROVERS: REQUESTER,
      APPROVALS_REQUIRED: 'low:0,medium:0,high:0,critical:0',
      MCP_TOKENS: `outage-assistant:${MCP_SECRET}:${REQUESTER}`,
      LINEAR_API_KEY: 'lin_api_system_test_key',
      LINEAR_API_URL: linear.apiUrl,
      LINEAR_TEAM_KEY: 'ENG',
    });
    const ledger = await openLedger(url);
    const peer = new McpPeer(instance);
    const play = burstPlay(1, 3);
    const MISSIONS = 4;
    const FOLLOW_UPS = 2;

    const missionIds = await Promise.all(
      Array.from({ length: MISSIONS }, async (_, k) => {
        const { mission } = await peer.ok<{ mission: { id: string } }>('start_mission', {
          intent: `Outage mission ${k}: rotate the signing keys`,
          channelId: `C0OUTAGE${k % 2}`,
        });
        const missionId = mission.id;
        await peer.ok('update_brief', { missionId, lock: true });
        await peer.ok('select_toolkits', {
          missionId,
          toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear' }],
          coverage: [
            { toolkitId: 'github', status: 'ready', summary: 'Repository inspected read-only' },
            { toolkitId: 'linear', status: 'ready', summary: 'Team ENG found' },
          ],
        });
        // No connector inspects here: the requester accepts the assistant's report (Slack's button, through the database).
        await ledger.service.acceptReportedCoverage({ missionId }, { kind: 'slack_user', id: REQUESTER });
        await peer.ok('select_toolkits', { missionId });
        const { proposed } = await peer.ok<{ proposed: string[] }>('propose_plays', { missionId, plays: [play] });
        await peer.ok('request_approval', { missionId, playId: proposed[0]! });
        const phase = play.phases[0]!;
        await peer.ok('report_progress', { missionId, kind: 'phase_started', phaseId: phase.id });
        for (const step of phase.steps)
          await peer.ok('report_progress', { missionId, kind: 'step_completed', phaseId: phase.id, stepId: step.id, durationMs: 500, counts: {} });
        for (let f = 0; f < FOLLOW_UPS; f++)
          await peer.ok('add_follow_up', { missionId, title: `Outage follow-up ${k}.${f}: document the key rotation`, priority: 'low' });
        return missionId;
      }),
    );

    // While both fail nothing is delivered, and nothing is lost: every change waits in the feed.
    await sleep(4000);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    expect(slack.calls.some((c) => c.status === 429) && slack.calls.some((c) => c.status === 500)).toBe(true);
    expect(linear.requests.some((r) => r.status === 429) && linear.requests.some((r) => r.status === 500)).toBe(true);
    expect(linear.state.issues).toHaveLength(1); // only the fake's own ENG-123
    expect((await ledger.db.feed.stats('slack', new Date())).pending).toBe(MISSIONS);
    expect((await ledger.db.feed.stats('trackers', new Date())).pending).toBe(MISSIONS);

    slack.clearFailures();
    linear.recover();

    const delivered = await eventually(() => checkSlackShowsFinalState(ledger, slack, missionIds), 180_000, 500);
    await eventually(
      async () => {
        expect(await ledger.db.feed.stats('trackers', new Date())).toMatchObject({ pending: 0, dead: 0 });
        for (const missionId of missionIds) {
          const followUps = (await ledger.mission(missionId)).reflection.followUps;
          expect(followUps).toHaveLength(FOLLOW_UPS);
          expect(
            followUps.every((f) => f.tracker === 'linear' && f.externalId !== null),
            JSON.stringify(followUps),
          ).toBe(true);
        }
      },
      180_000,
      500,
    );
    // One Linear issue per follow-up, and the ids recorded on the missions are those issues.
    const filed = linear.state.issues.filter((i) => i.identifier !== 'ENG-123');
    expect(filed).toHaveLength(MISSIONS * FOLLOW_UPS);
    expect(new Set(filed.map((i) => i.title)).size).toBe(filed.length);
    const recorded = (await Promise.all(missionIds.map(async (id) => (await ledger.mission(id)).reflection.followUps.map((f) => f.externalId)))).flat().sort();
    expect(recorded).toEqual(filed.map((i) => i.identifier).sort());
    for (const missionId of missionIds) {
      const events = await ledger.service.events({ missionId });
      expect(events.filter((e) => e.type === 'follow_up_issue_created')).toHaveLength(FOLLOW_UPS);
      expect(await ledger.service.verifyEventLog({ missionId })).toMatchObject({ ok: true });
    }
    expect(instance.alive()).toBe(true);
    expect(troubleIn(instance.output()).deadlocks).toEqual([]);
    process.stdout.write(
      `[system] outage (${provider}): Slack answered ${slack.calls.filter((c) => c.status !== 200).length} failures, then ${delivered.posts} posts and ${delivered.updates} updates; Linear answered ${linear.requests.filter((r) => r.status !== 200).length} failures, then filed ${filed.length} issues\n`,
    );
  });
});
