// Plans read and refused in Slack, and what happens after approval, end to end: signed requests
// to the running server, every click built from the blocks the bot posted, the Web API a local
// fake (views.open included: one view per trigger, expired triggers refused), GitHub a fake
// answering as the real API.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mission } from '../../src/domain/mission.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { dismissPlayModal, playPlanModal } from '../../src/slack/modals.js';
import { playsMessage } from '../../src/slack/playsMessage.js';
import { claudeCodeInstruction } from '../../src/slack/runInstructions.js';
import { fakeGitHubHandlers, fakeGitHubState, FULL_NAME, GITHUB_API, type FakeGitHubState } from '../connectors/fakeGitHub.js';
import { PROVIDERS } from '../support/databases.js';
import type { StoredMessage } from '../support/fakeSlack.js';
import { SECURITY_LEAD, SEED_PLAY_1, SEED_PLAY_2, SEED_PLAY_3, seedToApprovalRequested, seedToPlanning } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { CHANNEL, eventually, openBotHarness, type BotHarness } from './slackHarness.js';

const github = setupServer();
beforeAll(() => github.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => github.resetHandlers());
afterAll(() => github.close());

const ENV = { SLACK_APPROVERS: [JORDAN.id, ADVISOR.id, SECURITY_LEAD.id].join(','), APPROVALS_REQUIRED: 'critical:2' };
const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

const reasonValues = (value: string) => ({ reason: { reason: { type: 'plain_text_input', value } } });
const eventTypes = async (missionId: string) => (await bot!.app.missions.events({ missionId })).map((e) => e.type);
const current = (missionId: string) => bot!.app.missions.getMission({ missionId });
const responses = () => bot!.fake.calls.filter((c) => c.method === 'response_url');

/** The message with the button, once the thread shows it. */
function posted(actionId: string, test: (m: StoredMessage) => boolean = () => true): Promise<StoredMessage> {
  return eventually(() => {
    const message = bot!.messagesWith(actionId).find(test);
    expect(message).toBeDefined();
    return message!;
  });
}

/** The view views.open was last called with, once it was. */
function openedView(count: number): Promise<Record<string, unknown>> {
  return eventually(() => {
    const opened = bot!.fake.views.filter((v) => v.method === 'views.open');
    expect(opened).toHaveLength(count);
    return opened.at(-1)!.view;
  });
}

async function withPlays(): Promise<Mission> {
  const planning = await seedToPlanning(bot!.app.missions, new TestClock());
  return bot!.app.missions.proposePlays({ missionId: planning.id, plays: [SEED_PLAY_1, SEED_PLAY_2, SEED_PLAY_3] }, ASSISTANT);
}

describe.each(PROVIDERS)('plan controls in Slack (%s)', (provider) => {
  it('View plan opens the play in a modal: its phases and steps, undo plan, risk matrix and code change', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await withPlays();
    const play = mission.plays.find((p) => p.title === SEED_PLAY_2.title)!;
    const message = await posted(ACTION_IDS.playView, (m) => JSON.stringify(m.blocks) === JSON.stringify(playsMessage(mission).blocks));
    await bot.click(message, ACTION_IDS.playView, ADVISOR, { where: (v) => v.playId === play.id, triggerId: 'trigger-view-plan' });
    const view = await openedView(1);
    expect(view).toEqual(json(playPlanModal(mission, play)));
    expect(bot.fake.callsTo('views.open')[0]!.args.trigger_id).toBe('trigger-view-plan');
    const text = JSON.stringify(view);
    for (const phase of play.phases) for (const step of phase.steps) expect(text).toContain(step.id);
    for (const step of play.undoPlan.steps) expect(text).toContain(step);
    expect(text).toContain('*Reversibility*');
    expect(text).toContain('*Code change preview*');
    // Reading changes nothing.
    expect((await current(mission.id)).version).toBe(mission.version);
  });

  it('a click Slack took too long to deliver is told to click again, with nothing changed', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await withPlays();
    const message = await posted(ACTION_IDS.playView);
    bot.fake.expiredTriggers.add('trigger-late');
    await bot.click(message, ACTION_IDS.playView, ADVISOR, { triggerId: 'trigger-late', responseUrlId: 'late' });
    await eventually(() => expect(String(responses().find((r) => r.args.id === 'late')?.args.text)).toContain('Click the button again'));
    expect(bot.fake.views).toEqual([]);
    expect((await current(mission.id)).version).toBe(mission.version);
  });

  it('Dismiss asks for a reason: refused without one (nothing written), then the play is dismissed and the rest ranked again', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await withPlays();
    const play = mission.plays.find((p) => p.title === SEED_PLAY_2.title)!;
    const message = await posted(ACTION_IDS.playDismiss, (m) => JSON.stringify(m.blocks) === JSON.stringify(playsMessage(mission).blocks));
    await bot.click(message, ACTION_IDS.playDismiss, JORDAN, { where: (v) => v.playId === play.id });
    const view = await openedView(1);
    expect(view).toEqual(json(dismissPlayModal(mission, play)));
    expect(view.callback_id).toBe(VIEW_IDS.dismissPlay);

    const empty = await bot.submitView(view, reasonValues('   '), JORDAN);
    expect(empty.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('reason') } });
    expect(await eventTypes(mission.id)).not.toContain('play_dismissed');
    expect((await current(mission.id)).version).toBe(mission.version);

    expect((await bot.submitView(view, reasonValues('migration_risk: too risky for a 72-hour deadline'), JORDAN)).status).toBe(200);
    const dismissed = await eventually(async () => {
      const after = await current(mission.id);
      expect(after.plays.find((p) => p.id === play.id)).toMatchObject({
        status: 'dismissed',
        dismissedReason: 'migration_risk: too risky for a 72-hour deadline',
      });
      expect(message.blocks).toEqual(playsMessage(after).blocks);
      return after;
    });
    const open = dismissed.plays.filter((p) => p.status !== 'dismissed').sort((a, b) => a.rank - b.rank);
    expect(open.map((p) => p.rank)).toEqual(open.map((_, i) => i + 1));
    expect(open.map((p) => p.id)).not.toContain(play.id);
    expect(JSON.stringify(message.blocks)).toContain('migration_risk: too risky for a 72-hour deadline');
    expect(JSON.stringify(message.blocks)).not.toContain(`"playId":"${play.id}"`);

    // The old button, clicked again, is refused before any modal opens.
    await bot.click({ ...message, blocks: playsMessage(mission).blocks }, ACTION_IDS.playDismiss, JORDAN, {
      where: (v) => v.playId === play.id,
      responseUrlId: 'again',
    });
    await eventually(() => expect(String(responses().find((r) => r.args.id === 'again')?.args.text)).toContain('was already dismissed'));
    expect(bot.fake.views.filter((v) => v.method === 'views.open')).toHaveLength(1);
    expect((await eventTypes(mission.id)).filter((t) => t === 'play_dismissed')).toHaveLength(1);
  });

  it('edits a chip from the card, then regenerates it from the intent', async () => {
    bot = await openBotHarness(provider, ENV);
    await bot.command(SEED_INTENT, JORDAN);
    const card = await posted(ACTION_IDS.briefRegenerateChip);
    const [summary] = (await bot.app.missions.listMissions({})).missions;
    const drafted = await current(summary!.id);
    const draftedKpis = drafted.brief.chips.find((c) => c.kind === 'kpis')!;
    expect(card.blocks).toEqual(briefCard(drafted).blocks);

    await bot.click(card, ACTION_IDS.briefEditChip, JORDAN, { where: (v) => v.chip === 'kpis' });
    const view = await openedView(1);
    expect(view.callback_id).toBe(VIEW_IDS.chipEdit);
    await bot.submitView(
      view,
      {
        chip_item_0: { chip_item: { type: 'plain_text_input', value: 'Test coverage ≥90%' } },
        chip_item_1: { chip_item: { type: 'plain_text_input', value: '' } },
      },
      JORDAN,
    );
    const edited = await eventually(async () => {
      const after = await current(drafted.id);
      expect(after.brief.chips.find((c) => c.kind === 'kpis')).toMatchObject({ items: ['Test coverage ≥90%'], source: 'edited' });
      expect(card.blocks).toEqual(briefCard(after).blocks);
      return after;
    });
    expect(await eventTypes(drafted.id)).toContain('chip_modified');

    await bot.click(card, ACTION_IDS.briefRegenerateChip, JORDAN, { where: (v) => v.chip === 'kpis' });
    await eventually(async () => {
      const after = await current(drafted.id);
      expect(after.brief.chips.find((c) => c.kind === 'kpis')).toEqual(draftedKpis);
      expect(card.blocks).toEqual(briefCard(after).blocks);
    });
    const regenerated = (await bot.app.missions.events({ missionId: drafted.id })).filter((e) => e.type === 'chip_regenerated');
    expect(regenerated.map((e) => e.payload)).toEqual([
      { chip_type: 'kpis', reason: 'regenerate_requested', before: ['Test coverage ≥90%'], after: draftedKpis.items, confidence: draftedKpis.confidence },
    ]);
    expect(regenerated[0]!.actor).toMatchObject({ kind: 'slack_user', id: JORDAN.id });
    expect(edited.version).toBeLessThan((await current(drafted.id)).version);
  });

  it('Regenerate on a chip the drafter cannot draft is refused in words, and nothing is written', async () => {
    bot = await openBotHarness(provider, ENV);
    await bot.command('Fix the flaky login test in CI', JORDAN);
    const card = await posted(ACTION_IDS.briefRegenerateChip);
    const [summary] = (await bot.app.missions.listMissions({})).missions;
    const before = await current(summary!.id);
    expect(before.brief.chips.find((c) => c.kind === 'timeline')).toBeUndefined();
    await bot.click(card, ACTION_IDS.briefRegenerateChip, JORDAN, { where: (v) => v.chip === 'timeline', responseUrlId: 'no-timeline' });
    await eventually(() =>
      expect(String(responses().find((r) => r.args.id === 'no-timeline')?.args.text)).toContain(
        'The drafter found nothing for Timeline in the intent. Write the chip yourself with an edit.',
      ),
    );
    expect((await current(before.id)).version).toBe(before.version);
    expect(await eventTypes(before.id)).not.toContain('chip_regenerated');
  });

  it('approvers open the plan from the approval request, in the thread and in their DM', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    const play = mission.plays.find((p) => p.id === mission.approval!.playId)!;
    const inThread = await posted(ACTION_IDS.approvalApprove, (m) => m.channel === CHANNEL);
    const inDm = await posted(ACTION_IDS.approvalApprove, (m) => m.channel.startsWith('D') && bot!.fake.directMessages.get(m.channel) === ADVISOR.id);
    await bot.click(inThread, ACTION_IDS.playView, SECURITY_LEAD);
    expect(await openedView(1)).toEqual(json(playPlanModal(mission, play)));
    await bot.click(inDm, ACTION_IDS.playView, ADVISOR);
    expect(await openedView(2)).toEqual(json(playPlanModal(mission, play)));
  });
});

describe.each(PROVIDERS)('after approval, in Slack (%s)', (provider) => {
  async function approveInSlack(state: FakeGitHubState, env: Record<string, string>): Promise<Mission> {
    github.use(...fakeGitHubHandlers(state));
    bot = await openBotHarness(provider, { ...ENV, GITHUB_TOKEN: 'ghp_slacktest0123456789', GITHUB_API_URL: GITHUB_API, GITHUB_REPOSITORY: FULL_NAME, ...env });
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    const request = await posted(ACTION_IDS.approvalApprove, (m) => m.channel === CHANNEL);
    await bot.click(request, ACTION_IDS.approvalApprove, ADVISOR);
    await eventually(async () => expect((await current(mission.id)).approval!.decisions).toHaveLength(1));
    await bot.click(request, ACTION_IDS.approvalApprove, SECURITY_LEAD);
    await eventually(async () => expect((await current(mission.id)).state).toBe('executing'));
    return mission;
  }

  const runMessage = (missionId: string, test: (text: string) => boolean) =>
    eventually(() => {
      const message = [...bot!.fake.messages.values()].find((m) => m.text.includes(claudeCodeInstruction(missionId)) && test(JSON.stringify(m.blocks)));
      expect(message).toBeDefined();
      return message!;
    });

  it('the thread says how to run the mission from Claude Code, and that it was dispatched to GitHub Actions once', async () => {
    const state = fakeGitHubState();
    const mission = await approveInSlack(state, { GITHUB_EXECUTOR_WORKFLOW: 'mission.yml', MCP_PUBLIC_URL: 'https://mc.example.com/mcp' });
    const message = await runMessage(mission.id, (blocks) => blocks.includes('was dispatched'));
    expect(message.threadTs).toBe(mission.threadTs);
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain(`Run Mission Control mission ${mission.id} (use the mission-control MCP server)`);
    expect(blocks).toContain(`/mcp__mission-control__run_mission ${mission.id}`);
    expect(blocks).toContain(`https://github.com/${FULL_NAME}/actions/workflows/mission.yml`);
    expect(state.dispatches).toEqual([{ workflow: 'mission.yml', ref: 'main', inputs: { mission_id: mission.id, mcp_url: 'https://mc.example.com/mcp' } }]);
    // One message for it in the thread, edited as the dispatch went on, not one per step.
    expect([...bot!.fake.messages.values()].filter((m) => m.text.includes(claudeCodeInstruction(mission.id)))).toHaveLength(1);
  });

  it('a dispatch GitHub refuses is shown in the thread in words, and recorded on the mission', async () => {
    const state = fakeGitHubState();
    const mission = await approveInSlack(state, { GITHUB_EXECUTOR_WORKFLOW: 'ci.yml', MCP_PUBLIC_URL: 'https://mc.example.com/mcp' });
    const message = await runMessage(mission.id, (blocks) => blocks.includes('could not be dispatched'));
    expect(JSON.stringify(message.blocks)).toContain("Workflow does not have 'workflow_dispatch' trigger");
    expect(state.dispatches).toEqual([]);
    expect(await eventTypes(mission.id)).toContain('executor_dispatch_failed');
  });

  it('without an executor the thread still says how to run it from Claude Code', async () => {
    const state = fakeGitHubState();
    const mission = await approveInSlack(state, {});
    const message = await runMessage(mission.id, (blocks) => blocks.includes('no executor dispatched this mission'));
    expect(JSON.stringify(message.blocks)).toContain(claudeCodeInstruction(mission.id));
    expect(state.requests.filter((r) => r.includes('/actions/'))).toEqual([]);
  });
});
