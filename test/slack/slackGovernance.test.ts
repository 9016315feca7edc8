// Dead ends a Slack-only team used to hit, driven through signed requests shaped as Slack sends
// them, every click built from the blocks the bot posted: Prepare with no GitHub or Linear token
// (defer, or override with a reason), a person's code review, and an approver's gate override.
import { afterEach, describe, expect, it } from 'vitest';
import type { Mission } from '../../src/domain/mission.js';
import { ACTION_IDS, INPUT_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import type { StoredMessage } from '../support/fakeSlack.js';
import { PROVIDERS } from '../support/databases.js';
import { OUTSIDER, seedToApprovalRequested, signOffTruths, executeSeedPhases } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { eventually, openBotHarness, openedModal, type BotHarness } from './slackHarness.js';

// No GITHUB_TOKEN, no LINEAR_API_KEY: only Slack itself is connected.
const ENV = { SLACK_APPROVERS: [JORDAN.id, ADVISOR.id].join(','), APPROVALS_REQUIRED: 'low:1,medium:1,high:1,critical:1' };
const INTENT = 'Make the nightly invoice export retry when the storage bucket times out';

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

const responses = (b: BotHarness) => b.fake.calls.filter((c) => c.method === 'response_url');
const replyTo = (b: BotHarness, id: string) =>
  eventually(() => {
    const reply = responses(b).find((c) => c.args.id === id);
    expect(reply).toBeDefined();
    return String(reply!.args.text);
  });

/** The current version and event count: what "nothing was written" is checked against. */
async function written(b: BotHarness, missionId: string): Promise<{ version: number; events: number }> {
  const mission = await b.app.missions.getMission({ missionId });
  return { version: mission.version, events: (await b.app.missions.events({ missionId })).length };
}

/** The bot's one message carrying `actionId`, as the fake shows it now. */
function messageWith(b: BotHarness, actionId: string): StoredMessage {
  const found = b.messagesWith(actionId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const text = (value: string) => ({ type: 'plain_text_input', value });

/** `/mission`, Accept all, then GitHub and Slack ticked on the toolkits message: the inspection runs with Slack's own connector. */
async function toPrepareWithoutTokens(b: BotHarness): Promise<{ missionId: string; toolkits: StoredMessage }> {
  await b.command(INTENT, JORDAN);
  const card = await eventually(() => messageWith(b, ACTION_IDS.briefAcceptAll));
  await b.click(card, ACTION_IDS.briefAcceptAll, JORDAN);
  const toolkits = await eventually(() => messageWith(b, ACTION_IDS.toolkitsConfirm));
  const [summary] = (await b.app.missions.listMissions({})).missions;
  const missionId = summary!.id;
  await b.check(toolkits, ACTION_IDS.toolkitsSelect, ['github', 'slack'], JORDAN);
  await eventually(async () => {
    const mission = await b.app.missions.getMission({ missionId });
    expect(mission.coverage.entries.map((e) => [e.toolkitId, e.status]).sort()).toEqual([
      ['github', 'needs_auth'],
      ['slack', 'ready'],
    ]);
    const shown = JSON.stringify(b.fake.messages.get(toolkits.ts)!.blocks);
    expect(shown).toContain('*GitHub* · 🟡 needs auth (set `GITHUB_TOKEN`)');
    expect(shown).toContain('*Slack* · ✅ ready');
    expect(shown).toContain('Coverage 50% of the 85% needed to plan');
  });
  return { missionId, toolkits: b.fake.messages.get(toolkits.ts)! };
}

describe.each(PROVIDERS)('Slack-only Prepare and gates (%s)', (provider) => {
  it('gets a mission with no connector token through Prepare by deferring GitHub', async () => {
    bot = await openBotHarness(provider, ENV);
    const { missionId, toolkits } = await toPrepareWithoutTokens(bot);

    // Confirm below the threshold is refused, privately, naming the three ways on.
    const before = await written(bot, missionId);
    await bot.click(toolkits, ACTION_IDS.toolkitsConfirm, JORDAN, { responseUrlId: 'confirm-low' });
    expect(await replyTo(bot, 'confirm-low')).toContain('Coverage is 50%, below the 85% needed to plan');
    expect(await written(bot, missionId)).toEqual(before);

    // Defer GitHub ("not needed for this mission") from its own button on the posted message.
    await bot.click(toolkits, ACTION_IDS.toolkitDefer, JORDAN, { where: (v) => v.toolkitId === 'github' });
    const deferred = await eventually(async () => {
      const mission = await bot!.app.missions.getMission({ missionId });
      expect(mission.toolkits.find((t) => t.toolkitId === 'github')).toMatchObject({ selected: true, authStatus: 'deferred' });
      const shown = JSON.stringify(bot!.fake.messages.get(toolkits.ts)!.blocks);
      expect(shown).toContain('*GitHub* · ⏸️ deferred: not needed for this mission');
      expect(shown).toContain('Coverage 100% of the 85% needed to plan ✅');
      return bot!.fake.messages.get(toolkits.ts)!;
    });
    await bot.click(deferred, ACTION_IDS.toolkitsConfirm, JORDAN);
    await eventually(async () => expect((await bot!.app.missions.getMission({ missionId })).state).toBe('planning'));
    const mission = await bot.app.missions.getMission({ missionId });
    expect(mission.coverage.override).toBeNull();
    expect((await bot.app.missions.events({ missionId })).map((e) => e.type)).not.toContain('governance_override_requested');
  });

  it("shows the assistant's coverage report as reported, and a person accepts it from the toolkits message", async () => {
    bot = await openBotHarness(provider, ENV);
    const { missionId } = await toPrepareWithoutTokens(bot);
    // No GitHub token: the assistant reports what it found itself. The meter does not move.
    await bot.app.missions.recordCoverage({ missionId, toolkitId: 'github', status: 'ready', summary: 'Read src/auth and its tests' }, ASSISTANT);
    const offered = await eventually(() => {
      const shown = bot!.fake.messages.get(messageWith(bot!, ACTION_IDS.coverageAcceptReported).ts)!;
      const text = JSON.stringify(shown.blocks);
      expect(text).toContain('Reported by the assistant, not inspected: ✅ ready · Read src/auth and its tests');
      expect(text).toContain('Coverage 50% of the 85% needed to plan');
      expect(text).toContain('Accepting the report makes coverage 100%');
      // A copy: the fake edits its stored message in place, and the stale click below uses the old one.
      return structuredClone(shown);
    });

    await bot.click(offered, ACTION_IDS.coverageAcceptReported, JORDAN);
    const accepted = await eventually(async () => {
      const mission = await bot!.app.missions.getMission({ missionId });
      expect(mission.coverage.entries.at(-1)).toMatchObject({ toolkitId: 'github', recordedBy: 'person', acceptedBy: { kind: 'slack_user', id: JORDAN.id } });
      const shown = JSON.stringify(bot!.fake.messages.get(offered.ts)!.blocks);
      expect(shown).toContain('Reported by the assistant, accepted by <@U0JORDAN>: ✅ ready');
      expect(shown).toContain('Coverage 100% of the 85% needed to plan ✅');
      expect(shown).not.toContain(ACTION_IDS.coverageAcceptReported);
      return mission;
    });
    expect((await bot.app.missions.events({ missionId })).find((e) => e.type === 'reported_coverage_accepted')?.payload).toEqual({
      toolkit_ids: ['github'],
      coverage_before: 0.5,
      coverage_after: 1,
    });

    // A second click on the stale message is refused privately, and nothing is written.
    const before = await written(bot, missionId);
    await bot.click(offered, ACTION_IDS.coverageAcceptReported, JORDAN, { responseUrlId: 'accept-again' });
    expect(await replyTo(bot, 'accept-again')).toContain('No assistant-reported coverage is waiting to be accepted');
    expect(await written(bot, missionId)).toEqual(before);
    expect(accepted.state).toBe('preparing');
  });

  it('gets a mission with no connector token through Prepare by an override with a reason, shown as an override in the thread and VERIFICATION.md', async () => {
    bot = await openBotHarness(provider, ENV);
    const { missionId, toolkits } = await toPrepareWithoutTokens(bot);

    // Inspect again re-runs the connectors: one more inspection entry per selected toolkit.
    const entries = (await bot.app.missions.getMission({ missionId })).coverage.entries.length;
    await bot.click(toolkits, ACTION_IDS.toolkitsInspect, JORDAN);
    await eventually(async () => expect((await bot!.app.missions.getMission({ missionId })).coverage.entries.length).toBe(entries + 2));

    const views = bot.fake.views.length;
    await bot.click(bot.fake.messages.get(toolkits.ts)!, ACTION_IDS.coverageOverrideOpen, JORDAN);
    const modal = await openedModal(bot, VIEW_IDS.coverageOverride, views);
    expect(JSON.stringify(modal)).toContain('coverage at *50%*');

    // Without a reason (blank, or too short) the modal shows the error on the field and nothing is written.
    const before = await written(bot, missionId);
    for (const reason of ['', 'ok']) {
      const refused = await bot.submitView(modal, { [INPUT_IDS.reason.block]: { [INPUT_IDS.reason.action]: text(reason) } }, JORDAN);
      expect(refused.json()).toMatchObject({ response_action: 'errors', errors: { [INPUT_IDS.reason.block]: expect.stringContaining('reason') } });
    }
    expect(await written(bot, missionId)).toEqual(before);

    const reason = 'No GitHub token in this workspace; the team reviews the diff by hand';
    expect((await bot.submitView(modal, { [INPUT_IDS.reason.block]: { [INPUT_IDS.reason.action]: text(reason) } }, JORDAN)).status).toBe(200);
    const planning = await eventually(async () => {
      const mission = await bot!.app.missions.getMission({ missionId });
      expect(mission.state).toBe('planning');
      return mission;
    });
    expect(planning.coverage.override).toMatchObject({ reason, coverage: 0.5, by: { kind: 'slack_user', id: JORDAN.id } });
    const events = await bot.app.missions.events({ missionId });
    expect(events.find((e) => e.type === 'governance_override_requested')).toMatchObject({
      actor: { id: JORDAN.id },
      payload: { gate: 'coverage', coverage: 0.5, reason },
    });

    // The thread shows it as an override, with who and why; no control is left on the message.
    await eventually(() => {
      const shown = JSON.stringify(bot!.fake.messages.get(toolkits.ts)!.blocks);
      expect(shown).toContain('⚠️ *OVERRIDE, not a pass:* coverage 50% of the 85% needed to plan · by <@U0JORDAN>');
      expect(shown).toContain(reason);
      expect(shown).not.toContain(ACTION_IDS.toolkitsConfirm);
    });
    const { markdown } = await bot.app.missions.exportDocument({ missionId, document: 'verification' });
    expect(markdown).toContain('## Overrides');
    expect(markdown).toMatch(/\| Prepare coverage gate \(coverage 50%, 85% needed\) \| OVERRIDE \| [^|]*U0JORDAN[^|]* \|/);
    expect(markdown).toContain(`Prepare coverage gate (coverage 50%, 85% needed) was OVERRIDDEN by`);
    expect(markdown).toContain('**Status: gaps_found.**');
  });

  it('lets a person record a review from the thread; the code-review check then passes', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await executedWithoutReview(bot);
    const status = await eventually(() => messageWith(bot!, ACTION_IDS.reviewApproveOpen));
    await expect(bot.app.missions.completeMission({ missionId: mission.id }, ASSISTANT)).rejects.toThrow(
      /Code review approved: The brief requires code review/,
    );

    // Request changes first: recorded as the person's review, and the check stays failing.
    let views = bot.fake.views.length;
    await bot.click(status, ACTION_IDS.reviewChangesOpen, JORDAN);
    const changes = await openedModal(bot, VIEW_IDS.recordReview, views);
    const before = await written(bot, mission.id);
    const blank = await bot.submitView(changes, { [INPUT_IDS.note.block]: { [INPUT_IDS.note.action]: text('  ') } }, JORDAN);
    expect(blank.json()).toMatchObject({ response_action: 'errors', errors: { [INPUT_IDS.note.block]: expect.stringContaining('note') } });
    expect(await written(bot, mission.id)).toEqual(before);
    await bot.submitView(changes, { [INPUT_IDS.note.block]: { [INPUT_IDS.note.action]: text('The retry loop has no upper bound') } }, JORDAN);
    await eventually(async () =>
      expect(JSON.stringify(bot!.fake.messages.get(status.ts)!.blocks)).toContain('Code review: ✋ changes requested by Jordan Nakamura'),
    );
    await expect(bot.app.missions.completeMission({ missionId: mission.id }, ASSISTANT)).rejects.toThrow(/changes requested by Jordan Nakamura/);

    // Then approve, from the message as it is now.
    views = bot.fake.views.length;
    await bot.click(bot.fake.messages.get(status.ts)!, ACTION_IDS.reviewApproveOpen, JORDAN);
    const approve = await openedModal(bot, VIEW_IDS.recordReview, views);
    await bot.submitView(approve, { [INPUT_IDS.note.block]: { [INPUT_IDS.note.action]: text('Bounded at five retries now; tests cover it') } }, JORDAN);
    await eventually(async () => expect(JSON.stringify(bot!.fake.messages.get(status.ts)!.blocks)).toContain('Code review: ✅ approved by Jordan Nakamura'));
    const reviewed = await bot.app.missions.getMission({ missionId: mission.id });
    expect(reviewed.evidence.artifacts.filter((a) => a.review).map((a) => [a.review!.state, a.attachedBy.id])).toEqual([
      ['changes_requested', JORDAN.id],
      ['approved', JORDAN.id],
    ]);
    await signOffTruths(bot.app.missions, mission.id);
    const completed = await bot.app.missions.completeMission({ missionId: mission.id }, ASSISTANT);
    expect(completed.execution!.finalGate!.checks.find((c) => c.id === 'code_review')).toMatchObject({
      passed: true,
      detail: expect.stringContaining('approved by Jordan Nakamura'),
    });
    expect(completed.execution!.finalGate!.checks.some((c) => c.overridden)).toBe(false);
  });

  it('lets an approver override a gate check with a reason; a non-approver is told why before any modal, and nothing is written', async () => {
    bot = await openBotHarness(provider, ENV);
    const mission = await executedWithoutReview(bot);
    const status = await eventually(() => messageWith(bot!, ACTION_IDS.gateOverrideOpen));

    const before = await written(bot, mission.id);
    const views = bot.fake.views.length;
    await bot.click(status, ACTION_IDS.gateOverrideOpen, OUTSIDER, { responseUrlId: 'outsider' });
    expect(await replyTo(bot, 'outsider')).toContain('so you cannot override a quality gate');
    expect(bot.fake.views.length).toBe(views);
    expect(await written(bot, mission.id)).toEqual(before);

    await bot.click(status, ACTION_IDS.gateOverrideOpen, ADVISOR);
    const modal = await openedModal(bot, VIEW_IDS.gateOverride, views);
    const select = (modal.blocks as Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }>).find(
      (b) => b.block_id === INPUT_IDS.gateCheck.block,
    )!;
    expect(select.element!.options!.map((o) => o.value)).toEqual(['|code_review']);
    const values = (reason: string) => ({
      [INPUT_IDS.gateCheck.block]: { [INPUT_IDS.gateCheck.action]: { type: 'static_select', selected_option: select.element!.options![0] } },
      [INPUT_IDS.reason.block]: { [INPUT_IDS.reason.action]: text(reason) },
    });

    // No reason: the error is on the field. The same modal submitted by a non-approver: refused, told why.
    const refused = await bot.submitView(modal, values(''), ADVISOR);
    expect(refused.json()).toMatchObject({ response_action: 'errors', errors: { [INPUT_IDS.reason.block]: expect.stringContaining('reason') } });
    await bot.submitView(modal, values('I say so'), OUTSIDER);
    await eventually(() => {
      const told = bot!.fake.callsTo('chat.postEphemeral').find((c) => c.args.user === OUTSIDER.id);
      expect(String(told?.args.text)).toContain('You are not an approver');
    });
    expect(await written(bot, mission.id)).toEqual(before);

    const reason = 'Reviewed in a pairing session; no pull request exists yet';
    await bot.submitView(modal, values(reason), ADVISOR);
    await eventually(async () => {
      const shown = JSON.stringify(bot!.fake.messages.get(status.ts)!.blocks);
      expect(shown).toContain('⚠️ OVERRIDDEN (mission gate): Code review approved by <@U0ADVISOR>');
      expect(shown).toContain(reason);
    });
    const events = await bot.app.missions.events({ missionId: mission.id });
    expect(events.find((e) => e.type === 'gate_overridden')).toMatchObject({
      stage: 'execute_observe',
      actor: { id: ADVISOR.id },
      payload: { scope: 'mission', phase_id: null, check_id: 'code_review', reason, approver_id: ADVISOR.id },
    });

    // Completion counts the overridden check; every surface says overridden, never passed.
    await signOffTruths(bot.app.missions, mission.id);
    const completed = await bot.app.missions.completeMission({ missionId: mission.id }, ASSISTANT);
    expect(completed.execution!.finalGate!.checks.find((c) => c.id === 'code_review')).toMatchObject({
      passed: true,
      overridden: { reason, by: { id: ADVISOR.id } },
    });
    await eventually(() => expect(JSON.stringify(bot!.fake.messages.get(status.ts)!.blocks)).toContain('Mission gate* ✅ passed with overrides'));
    expect(JSON.stringify(bot.fake.messages.get(status.ts)!.blocks)).toContain('⚠️ Code review approved — OVERRIDDEN by <@U0ADVISOR>');
    const verification = (await bot.app.missions.exportDocument({ missionId: mission.id, document: 'verification' })).markdown;
    expect(verification).toMatch(/\| Mission \(final gate\) \| Code review approved \| OVERRIDDEN \|/);
    expect(verification).not.toMatch(/\| Code review approved \| PASSED \|/);
    expect(verification).toContain('Mission gate check code_review was OVERRIDDEN by');
    expect(verification).toContain('**Status: gaps_found.**');
    const summary = (await bot.app.missions.exportDocument({ missionId: mission.id, document: 'summary' })).markdown;
    expect(summary).toMatch(/\| Mission gate check code_review \| OVERRIDE \|/);
  });
});

/** The seed mission executed to the end by the assistant, with no review recorded (the brief requires one). */
async function executedWithoutReview(b: BotHarness): Promise<Mission> {
  const clock = new TestClock();
  const mission = await seedToApprovalRequested(b.app.missions, clock);
  await b.app.missions.decideApproval({ missionId: mission.id, decision: 'approve' }, ADVISOR);
  await executeSeedPhases(b.app.missions, clock, mission.id);
  return b.app.missions.getMission({ missionId: mission.id });
}
