// The Bolt app end to end: real signed HTTP requests to POST /slack/events of the running
// server, the Web API pointed at a local fake that records every call, and the `slack` feed
// consumer delivering thread messages in the background.
import { afterEach, describe, expect, it } from 'vitest';
import type { MissionService } from '../../src/domain/missionService.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { approvalMessage } from '../../src/slack/approvalMessage.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { executionStatus } from '../../src/slack/executionStatus.js';
import { PROVIDERS } from '../support/databases.js';
import { OUTSIDER, SECURITY_LEAD, seedToApprovalRequested } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { CHANNEL, eventually, openBotHarness, type BotHarness } from './slackHarness.js';

const APPROVERS = Array.from({ length: 20 }, (_, i) => ({
  kind: 'slack_user' as const,
  id: `U0APPR${String(i + 1).padStart(2, '0')}`,
  name: `Approver ${i + 1}`,
}));
const ENV = {
  SLACK_APPROVERS: [JORDAN.id, ADVISOR.id, SECURITY_LEAD.id, ...APPROVERS.map((a) => a.id)].join(','),
  // One approval closes a request, so concurrent clicks race for the single decision.
  APPROVALS_REQUIRED: 'critical:1',
};

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

const eventTypes = async (service: MissionService, missionId: string) => (await service.events({ missionId })).map((e) => e.type);
const responses = (b: BotHarness) => b.fake.calls.filter((c) => c.method === 'response_url');

describe.each(PROVIDERS)('Slack app over HTTP (%s)', (provider) => {
  it('refuses unsigned, wrongly signed and stale requests with 401 and changes nothing', async () => {
    bot = await openBotHarness(provider, ENV);
    const body = new URLSearchParams({
      command: '/mission',
      text: 'Fix the flaky login test',
      user_id: JORDAN.id,
      channel_id: CHANNEL,
      response_url: bot.fake.responseUrl(),
    }).toString();
    const type = 'application/x-www-form-urlencoded';
    expect((await bot.signedPost(body, type, { signature: null })).status).toBe(401);
    expect((await bot.signedPost(body, type, { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await bot.signedPost(body, type, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await bot.app.missions.listMissions({})).missions).toEqual([]);
    expect(bot.fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('/mission <intent> acknowledges at once and the brief card is posted in the channel', async () => {
    bot = await openBotHarness(provider, ENV);
    const started = Date.now();
    const res = await bot.command('Fix the flaky login test in CI', JORDAN);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    const post = await eventually(() => {
      const [call] = bot!.fake.callsTo('chat.postMessage');
      expect(call).toBeDefined();
      return call!;
    });
    expect(post.args.channel).toBe(CHANNEL);
    expect(post.args.thread_ts).toBeUndefined();
    const [summary] = (await bot.app.missions.listMissions({})).missions;
    const mission = await bot.app.missions.getMission({ missionId: summary!.id });
    expect(mission.requester).toMatchObject({ kind: 'slack_user', id: JORDAN.id });
    expect(post.args.blocks).toEqual(briefCard(mission).blocks);
    expect(JSON.stringify(post.args.blocks)).toContain(ACTION_IDS.briefAcceptAll);

    // Accept all locks the brief: the card loses its buttons and the toolkits follow in its thread.
    const card = bot.fake.messages.get(bot.fake.callsTo('chat.postMessage')[0]!.args.ts as string) ?? [...bot.fake.messages.values()][0]!;
    expect((await bot.click(card, ACTION_IDS.briefAcceptAll, JORDAN)).status).toBe(200);
    await eventually(async () => {
      const locked = await bot!.app.missions.getMission({ missionId: mission.id });
      expect(locked.state).toBe('preparing');
      expect(card.blocks).toEqual(briefCard(locked).blocks);
      const toolkits = bot!.messagesWith(ACTION_IDS.toolkitsConfirm);
      expect(toolkits).toHaveLength(1);
      expect(toolkits[0]!.threadTs).toBe(card.ts);
    });
    // Pressing Accept all again on the stale card is answered, privately, without a change.
    const before = (await bot.app.missions.getMission({ missionId: mission.id })).version;
    await bot.click({ ...card, blocks: briefCard(mission).blocks }, ACTION_IDS.briefAcceptAll, JORDAN);
    await eventually(() => expect(responses(bot!).at(-1)?.args.response_type).toBe('ephemeral'));
    expect((await bot.app.missions.getMission({ missionId: mission.id })).version).toBe(before);
  });

  it('answers help, unknown subcommands and an empty intent ephemerally in the acknowledgement', async () => {
    bot = await openBotHarness(provider, ENV);
    for (const text of ['', 'stauts', 'help']) {
      const res = await bot.command(text, JORDAN);
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ response_type: 'ephemeral' });
    }
    expect(bot.fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect((await bot.app.missions.listMissions({})).missions).toEqual([]);
    // list and status answer through response_url after the ack.
    await bot.command('list', JORDAN);
    await eventually(() => expect(JSON.stringify(responses(bot!).at(-1)?.args)).toContain('No missions yet'));
    await bot.command('status msn_nope', JORDAN);
    await eventually(() => expect(JSON.stringify(responses(bot!).at(-1)?.args)).toContain('No mission with id'));
  });

  it('lets only permitted approvers approve: an outsider is told why, and the attempt is recorded', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    const message = await eventually(() => {
      const [m] = bot!.messagesWith(ACTION_IDS.approvalApprove);
      expect(m).toBeDefined();
      return m!;
    });
    expect(message.threadTs).toBe(mission.threadTs);
    expect(message.blocks).toEqual(approvalMessage(mission, mission.approval!.id).blocks);

    const res = await bot.click(message, ACTION_IDS.approvalApprove, OUTSIDER, { responseUrlId: 'outsider' });
    expect(res.status).toBe(200);
    const reply = await eventually(() => {
      const r = responses(bot!).find((c) => c.args.id === 'outsider');
      expect(r).toBeDefined();
      return r!;
    });
    expect(reply.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.args.text)).toContain('not an approver');
    await eventually(async () => expect(await eventTypes(bot!.app.missions, mission.id)).toContain('approval_denied'));
    const after = await bot.app.missions.getMission({ missionId: mission.id });
    expect(after.state).toBe('awaiting_approval');
    expect(after.approval!.decisions).toEqual([]);
    expect(await eventTypes(bot.app.missions, mission.id)).not.toContain('approval_granted');

    // The requester of a critical mission is refused the same way (Reject too, before any modal opens).
    await bot.click(message, ACTION_IDS.approvalReject, JORDAN, { responseUrlId: 'requester' });
    await eventually(() => expect(String(responses(bot!).find((c) => c.args.id === 'requester')?.args.text)).toContain('someone else must approve'));
    expect(bot.fake.views).toEqual([]);
  });

  it('turns 20 concurrent Approve clicks into exactly one decision; the others are told who decided', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    const message = await eventually(() => {
      const [m] = bot!.messagesWith(ACTION_IDS.approvalApprove);
      expect(m).toBeDefined();
      return m!;
    });
    const stale = { ...message, blocks: [...message.blocks] };
    const results = await Promise.all(
      APPROVERS.map((approver, i) => bot!.click(stale, ACTION_IDS.approvalApprove, approver, { responseUrlId: `approver-${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(APPROVERS.map(() => 200));

    await eventually(async () => expect((await bot!.app.missions.getMission({ missionId: mission.id })).state).toBe('executing'));
    const events = await eventTypes(bot.app.missions, mission.id);
    expect(events.filter((t) => t === 'approval_granted')).toHaveLength(1);
    expect(events.filter((t) => t === 'plan_approved')).toHaveLength(1);
    const decided = await bot.app.missions.getMission({ missionId: mission.id });
    expect(decided.approval!.decisions).toHaveLength(1);
    const winner = decided.approval!.decisions[0]!.approverId;

    // Everyone else hears, privately, that it was already decided; the winner hears nothing.
    const replies = await eventually(() => {
      const r = responses(bot!).filter((c) => String(c.args.id).startsWith('approver-'));
      expect(r).toHaveLength(19);
      return r;
    });
    for (const reply of replies) expect(String(reply.args.text)).toMatch(/already approved/);

    // The message shows who decided and when, and its buttons are gone.
    await eventually(() => {
      const shown = bot!.fake.messages.get(message.ts)!;
      expect(shown.blocks).toEqual(approvalMessage(decided, decided.approval!.id).blocks);
      expect(JSON.stringify(shown.blocks)).not.toContain(ACTION_IDS.approvalApprove);
      expect(JSON.stringify(shown.blocks)).toContain(`<@${winner}>`);
    });
    // A click on the stale message after the decision: answered, no second decision.
    await bot.click(stale, ACTION_IDS.approvalApprove, APPROVERS[0]!, { responseUrlId: 'late' });
    await eventually(() => expect(String(responses(bot!).find((c) => c.args.id === 'late')?.args.text)).toMatch(/already approved/));
    expect((await bot.app.missions.getMission({ missionId: mission.id })).approval!.decisions).toHaveLength(1);
  });

  it('Reject opens a modal for the reason; its submission rejects and the thread shows it', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    const message = await eventually(() => {
      const [m] = bot!.messagesWith(ACTION_IDS.approvalReject);
      expect(m).toBeDefined();
      return m!;
    });
    await bot.click(message, ACTION_IDS.approvalReject, ADVISOR);
    const opened = await eventually(() => {
      const [v] = bot!.fake.views;
      expect(v).toBeDefined();
      return v!;
    });
    expect(opened.view.callback_id).toBe(VIEW_IDS.rejectApproval);
    // An empty reason is shown on the field, and nothing changes.
    const empty = await bot.submitView(opened.view, { reason: { reason: { type: 'plain_text_input', value: '' } } }, ADVISOR);
    expect(empty.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('reason') } });
    const ok = await bot.submitView(opened.view, { reason: { reason: { type: 'plain_text_input', value: 'Too risky before the launch' } } }, ADVISOR);
    expect(ok.status).toBe(200);
    await eventually(async () => {
      const rejected = await bot!.app.missions.getMission({ missionId: mission.id });
      expect(rejected.state).toBe('planning');
      expect(bot!.fake.messages.get(message.ts)!.blocks).toEqual(approvalMessage(rejected, mission.approval!.id).blocks);
    });
    expect(JSON.stringify(bot.fake.messages.get(message.ts)!.blocks)).toContain('Too risky before the launch');
  });

  it('coalesces a burst of 100 step reports into a handful of status edits with the final state shown', async () => {
    // Step reports only move progress along: paced by SLACK_PROGRESS_EDIT_MS (shortened here to keep the test quick).
    bot = await openBotHarness(provider, { ...ENV, SLACK_PROGRESS_EDIT_MS: '2000' });
    const service = bot.app.missions;
    const requested = await seedToApprovalRequested(service, new TestClock());
    const executing = await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    const status = await eventually(() => {
      const [m] = bot!.messagesWith(ACTION_IDS.rollback);
      expect(m).toBeDefined();
      return m!;
    });
    const updatesBefore = bot.fake.callsTo('chat.update').filter((c) => c.args.ts === status.ts).length;
    for (let i = 1; i <= 100; i++) {
      await service.reportProgress(
        { missionId: executing.id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'write_tests', durationMs: 1000 + i, counts: { iteration: i } },
        ASSISTANT,
      );
    }
    const final = await service.getMission({ missionId: executing.id });
    await eventually(() => expect(bot!.fake.messages.get(status.ts)!.blocks).toEqual(executionStatus(final).blocks));
    expect(JSON.stringify(bot.fake.messages.get(status.ts)!.blocks)).toContain('iteration 100');
    const updates = bot.fake.callsTo('chat.update').filter((c) => c.args.ts === status.ts);
    expect(updates.length - updatesBefore).toBeGreaterThan(0);
    expect(updates.length - updatesBefore).toBeLessThanOrEqual(6);
    // At most about one progress edit per SLACK_PROGRESS_EDIT_MS of the same message.
    for (let i = 1; i < updates.length; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(1800);
  });

  it('waits out a 429 with Retry-After and then delivers once', async () => {
    bot = await openBotHarness(provider, ENV);
    bot.fake.failNext(1, { status: 429, retryAfter: 1 }, ['chat.postMessage']);
    await bot.command('Fix the flaky login test in CI', JORDAN);
    await eventually(() => expect(bot!.fake.callsTo('chat.postMessage')).toHaveLength(1));
    const attempts = bot.fake.calls.filter((c) => c.method === 'chat.postMessage');
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(bot.fake.messages.size).toBe(1);
  });

  it('keeps every update while Slack is down and delivers them all when it is back', async () => {
    bot = await openBotHarness(provider, ENV);
    const service = bot.app.missions;
    const requested = await seedToApprovalRequested(service, new TestClock());
    const approval = await eventually(() => {
      const [m] = bot!.messagesWith(ACTION_IDS.approvalApprove);
      expect(m).toBeDefined();
      return m!;
    });
    await bot.fake.down();
    // Meanwhile the mission moves on: approved, executing, a phase with steps, a review alert.
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    await service.reportProgress({ missionId: requested.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    for (const stepId of ['refactor_jwt_ts', 'add_redis_store']) {
      await service.reportProgress({ missionId: requested.id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId, durationMs: 1200 }, ASSISTANT);
    }
    await service.reportProgress(
      {
        missionId: requested.id,
        kind: 'validator_alert',
        phaseId: 'jwt_refresh_fix',
        type: 'review_required',
        severity: 'high',
        description: 'Refresh tokens stored without a TTL',
      },
      ASSISTANT,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Nothing reached Slack, and the undelivered changes wait in the database.
    expect(JSON.stringify(approval.blocks)).toContain(ACTION_IDS.approvalApprove);
    expect((await bot.app.db.feed.stats('slack', new Date())).pending).toBe(1);
    await bot.fake.up();

    const final = await service.getMission({ missionId: requested.id });
    await eventually(() => {
      expect(bot!.fake.messages.get(approval.ts)!.blocks).toEqual(approvalMessage(final, final.approval!.id).blocks);
      const [status] = bot!.messagesWith(ACTION_IDS.rollback);
      expect(status?.blocks).toEqual(executionStatus(final).blocks);
      const alerts = bot!.messagesWith(ACTION_IDS.alertResolve);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.threadTs).toBe(final.threadTs);
    }, 25_000);
    // Each surface exists once: nothing was posted twice by the retries.
    expect(bot.fake.messages.size).toBe(new Set([...bot.fake.messages.values()].map((m) => m.ts)).size);
    expect(bot.messagesWith(ACTION_IDS.rollback)).toHaveLength(1);
  }, 60_000);

  it('publishes the App Home with the missions waiting for the viewer, and cancels through /mission cancel', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    const event = JSON.stringify({
      type: 'event_callback',
      token: 'legacy-verification-token',
      team_id: 'T0FAKE',
      api_app_id: 'A0MISSION',
      event: { type: 'app_home_opened', user: ADVISOR.id, channel: 'D0ADVISOR', tab: 'home', event_ts: `${Date.now() / 1000}` },
      event_id: 'Ev0HOME',
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T0FAKE', user_id: 'U0BOT', is_bot: true }],
    });
    expect((await bot.signedPost(event, 'application/json')).status).toBe(200);
    const home = await eventually(() => {
      const v = bot!.fake.views.find((x) => x.method === 'views.publish');
      expect(v).toBeDefined();
      return v!;
    });
    expect(home.userId).toBe(ADVISOR.id);
    expect(JSON.stringify(home.view)).toContain(mission.id);
    expect(JSON.stringify(home.view)).toContain(ACTION_IDS.approvalApprove);

    await bot.command(`cancel ${mission.id}`, JORDAN);
    const modal = await eventually(() => {
      const v = bot!.fake.views.find((x) => x.method === 'views.open');
      expect(v).toBeDefined();
      return v!;
    });
    expect(modal.view.callback_id).toBe(VIEW_IDS.cancelMission);
    await bot.submitView(modal.view, { reason: { reason: { type: 'plain_text_input', value: 'Superseded by the platform rewrite' } } }, JORDAN);
    await eventually(async () => expect((await bot!.app.missions.getMission({ missionId: mission.id })).state).toBe('cancelled'));
  });
});
