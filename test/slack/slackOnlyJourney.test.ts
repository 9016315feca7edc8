// A Slack-only team runs a mission nobody seeded from `/mission` to its retrospective, with no
// GitHub or Linear token: every request signed and shaped as Slack sends it, every click built
// from the blocks the bot posted to the fake Web API. The only other caller is the assistant that
// executes the work: the SDK's Client over Streamable HTTP against the same started server, with
// a token. Nothing a person does goes to the service behind Slack's back; reads for assertions do.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_IDS, INPUT_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { claudeCodeInstruction } from '../../src/slack/runInstructions.js';
import { PROVIDERS } from '../support/databases.js';
import type { StoredMessage } from '../support/fakeSlack.js';
import { SECURITY_LEAD } from '../support/seedJourney.js';
import { ADVISOR, JORDAN } from '../support/seedMission.js';
import { CHANNEL, eventually, openBotHarness, openedModal, type BotHarness } from './slackHarness.js';

const INTENT = 'Add rate limiting to the public search API and return 429 with Retry-After when a client exceeds 60 requests per minute';
// Two approvers, and every risk level needs both of them. No GITHUB_TOKEN, no LINEAR_API_KEY.
const ENV = { SLACK_APPROVERS: [ADVISOR.id, SECURITY_LEAD.id].join(','), APPROVALS_REQUIRED: 'low:2,medium:2,high:2,critical:2' };
const OVERRIDE_REASON = 'No GitHub token in this workspace yet; the team reads the search service code by hand';

let bot: BotHarness | null = null;
let client: Client | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
  await bot?.close();
  bot = null;
});

const text = (value: string) => ({ type: 'plain_text_input', value });
const shown = (b: BotHarness, message: StoredMessage) => JSON.stringify(b.fake.messages.get(message.ts)!.blocks);
const hasButtons = (m: StoredMessage) => JSON.stringify(m.blocks).includes('"action_id"');

/** The bot's one message carrying `actionId` (optionally one that passes `test`), as the fake shows it now. */
function posted(b: BotHarness, actionId: string, test: (m: StoredMessage) => boolean = () => true): Promise<StoredMessage> {
  return eventually(() => {
    const found = b.messagesWith(actionId).filter(test);
    expect(found).toHaveLength(1);
    return found[0]!;
  });
}

/** The options a modal's select offers, as the view shows them. */
function optionsOf(view: Record<string, unknown>, blockId: string): Array<{ value: string; text: unknown }> {
  const block = (view.blocks as Array<{ block_id?: string; element?: { options?: Array<{ value: string; text: unknown }> } }>).find(
    (b) => b.block_id === blockId,
  );
  if (!block?.element?.options) throw new Error(`the modal has no select ${blockId}`);
  return block.element.options;
}

describe.each(PROVIDERS)('a Slack-only team runs a new mission end to end (%s)', (provider) => {
  it('/mission to retrospective from Slack, two approvers, an assistant executing over MCP', { timeout: 120_000 }, async () => {
    bot = await openBotHarness(provider, ENV, { mcp: true });
    const b = bot;
    const thread = (card: StoredMessage) => [...b.fake.messages.values()].filter((m) => m.channel === CHANNEL && m.threadTs === card.ts);

    // ---- Define: `/mission <intent>` posts the brief card; Accept all locks it.
    expect((await b.command(INTENT, JORDAN)).status).toBe(200);
    const card = await posted(b, ACTION_IDS.briefAcceptAll);
    expect(card.channel).toBe(CHANNEL);
    expect(card.threadTs).toBeNull();
    expect(card.text).toContain('rate limiting');
    // The team wants a person's code review before this ships: added to the safeguards from the card's Edit.
    let views = b.fake.views.length;
    await b.click(card, ACTION_IDS.briefEditChip, JORDAN, { where: (v) => v.chip === 'safeguards' });
    const chipModal = await openedModal(b, VIEW_IDS.chipEdit, views);
    const rows = (chipModal.blocks as Array<{ block_id?: string; element?: { initial_value?: string } }>).filter((blk) =>
      blk.block_id?.startsWith(INPUT_IDS.chipItemBlockPrefix),
    );
    const blankRow = rows.find((row) => !row.element?.initial_value);
    expect(blankRow, 'the safeguards modal offers a blank row').toBeDefined();
    const chipValues = Object.fromEntries(
      rows.map((row) => [
        row.block_id!,
        { [INPUT_IDS.chipItem]: text(row === blankRow ? 'Code review required before the limiter ships' : (row.element?.initial_value ?? '')) },
      ]),
    );
    expect((await b.submitView(chipModal, chipValues, JORDAN)).status).toBe(200);
    await eventually(() => expect(shown(b, card)).toContain('Code review required before the limiter ships'));
    await b.click(b.fake.messages.get(card.ts)!, ACTION_IDS.briefAcceptAll, JORDAN);

    // ---- Prepare: the toolkits message; tick all three, with only Slack's own token configured.
    const toolkits = await posted(b, ACTION_IDS.toolkitsConfirm);
    expect(toolkits.threadTs).toBe(card.ts);
    await b.check(toolkits, ACTION_IDS.toolkitsSelect, ['github', 'linear', 'slack'], JORDAN);
    await eventually(() => {
      const now = shown(b, toolkits);
      expect(now).toContain('*GitHub* · 🟡 needs auth (set `GITHUB_TOKEN`)');
      expect(now).toContain('*Slack* · ✅ ready');
      expect(now).toMatch(/\*Linear\* · 🟡 needs auth/);
    });
    // Linear is not needed for this mission: deferred from its own button.
    await b.click(b.fake.messages.get(toolkits.ts)!, ACTION_IDS.toolkitDefer, JORDAN, { where: (v) => v.toolkitId === 'linear' });
    await eventually(() => {
      const now = shown(b, toolkits);
      expect(now).toContain('*Linear* · ⏸️ deferred: not needed for this mission');
      expect(now).toContain('Coverage 50% of the 85% needed to plan');
    });
    // GitHub cannot be inspected without a token: override the coverage, with a reason, in the modal.
    views = b.fake.views.length;
    await b.click(b.fake.messages.get(toolkits.ts)!, ACTION_IDS.coverageOverrideOpen, JORDAN);
    const overrideModal = await openedModal(b, VIEW_IDS.coverageOverride, views);
    expect(JSON.stringify(overrideModal)).toContain('coverage at *50%*');
    expect((await b.submitView(overrideModal, { [INPUT_IDS.reason.block]: { [INPUT_IDS.reason.action]: text(OVERRIDE_REASON) } }, JORDAN)).status).toBe(200);
    await eventually(() => {
      const now = shown(b, toolkits);
      expect(now).toContain('⚠️ *OVERRIDE, not a pass:* coverage 50% of the 85% needed to plan · by <@U0JORDAN>');
      expect(now).toContain(OVERRIDE_REASON);
      expect(now).not.toContain(ACTION_IDS.toolkitsConfirm);
    });

    // ---- Plan: the built-in planner's plays in the thread. Read one whole, select it, request approval.
    const plays = await posted(b, ACTION_IDS.playSelect);
    expect(plays.threadTs).toBe(card.ts);
    const [summary] = (await b.app.missions.listMissions({})).missions;
    const missionId = summary!.id;
    const planning = await b.app.missions.getMission({ missionId });
    expect(planning.state).toBe('planning');
    const play = [...planning.plays].sort((x, y) => x.rank - y.rank)[0]!;

    views = b.fake.views.length;
    await b.click(plays, ACTION_IDS.playView, ADVISOR, { where: (v) => v.playId === play.id });
    const planView = await openedModal(b, VIEW_IDS.playPlan, views);
    const planText = JSON.stringify(planView);
    expect(play.phases.length).toBeGreaterThan(0);
    for (const [i, phase] of play.phases.entries()) {
      expect(planText).toContain(`*Phase ${i + 1}: `);
      for (const step of phase.steps) expect(planText).toContain(step.id);
    }
    expect(planText).toContain('*Reversibility*');

    await b.click(plays, ACTION_IDS.playSelect, JORDAN, { where: (v) => v.playId === play.id });
    const withRequest = await posted(b, ACTION_IDS.requestApproval);
    expect(withRequest.ts).toBe(plays.ts);
    await b.click(withRequest, ACTION_IDS.requestApproval, JORDAN);

    // The approval request: in the thread and in each approver's DM, both needed.
    const approvalInThread = await posted(b, ACTION_IDS.approvalApprove, (m) => m.channel === CHANNEL);
    expect(approvalInThread.threadTs).toBe(card.ts);
    const dms = await eventually(() => {
      const found = [ADVISOR, SECURITY_LEAD].map((p) => b.messagesWith(ACTION_IDS.approvalApprove).find((m) => m.channel === `D${p.id.slice(1)}`));
      expect(found.every(Boolean)).toBe(true);
      return found as StoredMessage[];
    });
    for (const dm of dms) expect(dm.text).toMatch(/^Your approval is requested/);
    for (const copy of [approvalInThread, ...dms]) expect(JSON.stringify(copy.blocks)).toContain('0 of 2 needed');

    // The advisor approves from the thread: one of two, the mission still waits.
    await b.click(approvalInThread, ACTION_IDS.approvalApprove, ADVISOR);
    await eventually(() => {
      // Every copy says who approved and that one more is needed; the security lead's DM still offers Approve.
      for (const copy of [approvalInThread, ...dms]) {
        expect(shown(b, copy)).toContain('1 of 2 needed');
        expect(shown(b, copy)).toContain('✅ Approved by <@U0ADVISOR>');
      }
      expect(hasButtons(b.fake.messages.get(dms[1]!.ts)!)).toBe(true);
    });
    expect((await b.app.missions.getMission({ missionId })).state).toBe('awaiting_approval');
    // The security lead approves from the DM the bot sent: the second approval starts execution.
    await b.click(b.fake.messages.get(dms[1]!.ts)!, ACTION_IDS.approvalApprove, SECURITY_LEAD);
    await eventually(async () => expect((await b.app.missions.getMission({ missionId })).state).toBe('executing'));
    await eventually(() => {
      for (const copy of [approvalInThread, ...dms]) {
        const now = b.fake.messages.get(copy.ts)!;
        expect(hasButtons(now)).toBe(false);
        expect(JSON.stringify(now.blocks)).toContain('*Approved* by <@U0ADVISOR> and <@U0SECLEAD>');
        expect(JSON.stringify(now.blocks)).toContain('2 of 2 needed');
      }
    });
    // The thread says how the work gets done.
    const instructions = await eventually(() => {
      const found = thread(card).find((m) => m.text.startsWith(`How to run ${missionId}`));
      expect(found).toBeDefined();
      return found!;
    });
    expect(JSON.stringify(instructions.blocks)).toContain(claudeCodeInstruction(missionId));

    // ---- Execute: the assistant reports over MCP, with a token, against the same server.
    client = new Client({ name: 'claude-code', version: '2.0.0' });
    const secret = await b.createMcpToken('claude-code-jordan', JORDAN.id);
    await client.connect(new StreamableHTTPClientTransport(new URL(b.mcpUrl!), { requestInit: { headers: { authorization: `Bearer ${secret}` } } }));
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client!.callTool({ name, arguments: args })) as CallToolResult;
      const said = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      if (result.isError) throw new Error(`${name} was refused: ${said}`);
      return { ...(result.structuredContent as Record<string, unknown>), text: said };
    };
    for (const phase of play.phases) {
      await call('report_progress', { kind: 'phase_started', missionId, phaseId: phase.id });
      for (const step of phase.steps)
        await call('report_progress', { kind: 'step_completed', missionId, phaseId: phase.id, stepId: step.id, durationMs: 300_000 });
      await call('report_progress', { kind: 'test_run', missionId, phaseId: phase.id, total: 36, passing: 36, failing: 0, coverage: 0.9, suite: 'vitest' });
      await call('report_progress', { kind: 'phase_completed', missionId, phaseId: phase.id });
    }
    await call('attach_evidence', {
      missionId,
      name: 'Rate limiter test report',
      kind: 'markdown',
      content: '36/36 passing\n\n- 61st request in a minute gets 429 with Retry-After',
    });

    // ---- A person records the review from the status message.
    const status = await posted(b, ACTION_IDS.reviewApproveOpen);
    expect(status.threadTs).toBe(card.ts);
    views = b.fake.views.length;
    await b.click(status, ACTION_IDS.reviewApproveOpen, ADVISOR);
    const reviewModal = await openedModal(b, VIEW_IDS.recordReview, views);
    await b.submitView(
      reviewModal,
      { [INPUT_IDS.note.block]: { [INPUT_IDS.note.action]: text('Limiter keyed by API key; Retry-After is in seconds') } },
      ADVISOR,
    );
    await eventually(() => expect(shown(b, status)).toContain('Code review: ✅ approved by Trusted Advisor'));
    expect(shown(b, status)).not.toContain(ACTION_IDS.gateOverrideOpen);

    // ---- UAT in the thread: completion waits for a person to sign off every truth.
    const unsigned = (await client.callTool({ name: 'complete_mission', arguments: { missionId } })) as CallToolResult;
    expect(unsigned.isError).toBe(true);
    expect(JSON.stringify(unsigned.content)).toContain('A person signs each one off by marking it Pass in the UAT message in the mission thread.');
    const uat = await posted(b, ACTION_IDS.uatPassOpen);
    expect(uat.threadTs).toBe(card.ts);
    const truthIds = (await b.app.missions.getMission({ missionId })).plays
      .find((p) => p.status === 'approved')!
      .mustHaves.truths.map((_, i) => `truth_${i + 1}`);
    expect(truthIds.length).toBeGreaterThan(0);
    // The first truth fails once (a note is required, in the modal), then passes on a re-test.
    views = b.fake.views.length;
    await b.click(b.fake.messages.get(uat.ts)!, ACTION_IDS.uatFailOpen, JORDAN, { where: (v) => v.uatItemId === truthIds[0] });
    const failModal = await openedModal(b, VIEW_IDS.uatResult, views);
    expect((await b.submitView(failModal, { [INPUT_IDS.note.block]: { [INPUT_IDS.note.action]: text('61st request got 500, not 429') } }, JORDAN)).status).toBe(
      200,
    );
    await eventually(() => expect(shown(b, uat)).toContain('61st request got 500, not 429'));
    for (const itemId of truthIds) {
      views = b.fake.views.length;
      await b.click(b.fake.messages.get(uat.ts)!, ACTION_IDS.uatPassOpen, JORDAN, { where: (v) => v.uatItemId === itemId });
      const passModal = await openedModal(b, VIEW_IDS.uatResult, views);
      expect((await b.submitView(passModal, { [INPUT_IDS.note.block]: { [INPUT_IDS.note.action]: text('Tried it against staging') } }, JORDAN)).status).toBe(
        200,
      );
    }
    await eventually(async () => {
      const results = (await b.app.missions.getMission({ missionId })).execution!.uat ?? [];
      expect(truthIds.every((id) => results.find((r) => r.itemId === id)?.outcome === 'pass')).toBe(true);
    });
    const uatEvents = (await b.app.missions.events({ missionId })).filter((e) => e.type.startsWith('uat_'));
    expect(uatEvents[0]).toMatchObject({
      type: 'uat_result_recorded',
      actor: { kind: 'slack_user', id: JORDAN.id },
      payload: { item_id: truthIds[0], outcome: 'fail' },
    });

    // ---- The assistant completes the mission; the reflection message offers feedback and Close.
    const completed = await call('complete_mission', { missionId });
    expect(completed.text).not.toMatch(/refused/i);
    await eventually(() => {
      expect(shown(b, status)).toContain('*Mission gate* ✅ passed');
      expect(shown(b, status)).toContain('✅ Code review approved — approved by Trusted Advisor');
      expect(shown(b, status)).not.toContain('OVERRIDDEN');
    });
    const reflection = await posted(b, ACTION_IDS.feedbackOpen);
    expect(reflection.threadTs).toBe(card.ts);
    views = b.fake.views.length;
    await b.click(reflection, ACTION_IDS.feedbackOpen, JORDAN);
    const feedbackModal = await openedModal(b, VIEW_IDS.feedback, views);
    const five = optionsOf(feedbackModal, INPUT_IDS.rating.block).find((o) => o.value === '5')!;
    await b.submitView(
      feedbackModal,
      {
        [INPUT_IDS.rating.block]: { [INPUT_IDS.rating.action]: { type: 'static_select', selected_option: five } },
        [INPUT_IDS.effortSaved.block]: { [INPUT_IDS.effortSaved.action]: { type: 'number_input', value: '6' } },
        [INPUT_IDS.comments.block]: { [INPUT_IDS.comments.action]: text('The plan view made the approval easy') },
        [INPUT_IDS.improvements.block]: { [INPUT_IDS.improvements.action]: text('Suggest the limit from current traffic') },
      },
      JORDAN,
    );
    await eventually(() => expect(shown(b, reflection)).toContain('The plan view made the approval easy'));
    const closing = b.fake.messages.get(reflection.ts)!;
    await b.click(closing, ACTION_IDS.closeMission, JORDAN);
    await eventually(async () => expect((await b.app.missions.getMission({ missionId })).state).toBe('done'));

    // ---- What people see at the end: the thread's final summary, and VERIFICATION.md.
    const done = await eventually(() => {
      const found = thread(card).find((m) => /is done/.test(m.text));
      expect(
        found,
        thread(card)
          .map((m) => m.text)
          .join('\n'),
      ).toBeDefined();
      const blocks = JSON.stringify(found!.blocks);
      expect(blocks).toContain(`*Retrospective* logged by <@${JORDAN.id}>`);
      return blocks;
    });
    expect(done).toContain(`⚠️ Coverage 50% at Prepare, OVERRIDDEN by <@${JORDAN.id}>`);
    expect(done).toContain(OVERRIDE_REASON);
    expect(done).toContain('3 of 3 completed');
    expect(done).toContain('⭐⭐⭐⭐⭐ 5/5 · 6 h saved');
    expect(done).toContain('To improve: Suggest the limit from current traffic');
    expect(done).toContain('Code review by Trusted Advisor (approved)');
    expect(done).not.toContain(ACTION_IDS.closeMission);
    // Nobody was refused anything along the way.
    expect(b.fake.callsTo('response_url')).toEqual([]);
    expect(b.fake.callsTo('chat.postEphemeral')).toEqual([]);

    const { markdown: verification } = await b.app.missions.exportDocument({ missionId, document: 'verification' });
    expect(verification).toMatch(/\| Prepare coverage gate \(coverage 50%, 85% needed\) \| OVERRIDE \| [^|]*U0JORDAN[^|]* \|/);
    expect(verification).toContain(OVERRIDE_REASON);
    expect(verification).toContain('Prepare coverage gate (coverage 50%, 85% needed) was OVERRIDDEN by Jordan Nakamura (U0JORDAN)');
    expect(verification).not.toMatch(/Prepare coverage gate[^\n]*\| PASS/);
    expect(verification).toContain('**Status: gaps_found.**');
    expect(verification).toMatch(/\| Mission \(final gate\) \| Code review approved \| PASSED \| approved by Trusted Advisor/);

    // Every decision was made by the person who clicked, in Slack; the token only reported the work.
    const events = await b.app.missions.events({ missionId });
    const by = (type: string) => events.filter((e) => e.type === type).map((e) => e.actor.id);
    expect(by('chip_modified')).toEqual([JORDAN.id]);
    expect(by('mission_brief_locked')).toEqual([JORDAN.id]);
    expect(by('governance_override_requested')).toEqual([JORDAN.id]);
    expect(by('plan_selected')).toEqual([JORDAN.id]);
    expect(by('approval_requested')).toEqual([JORDAN.id]);
    expect(by('approval_granted')).toEqual([ADVISOR.id, SECURITY_LEAD.id]);
    expect(by('feedback_submitted')).toEqual([JORDAN.id]);
    expect(by('mission_retrospective_logged')).toEqual([JORDAN.id]);
    expect(events.filter((e) => e.type === 'evidence_attached' && e.actor.kind === 'slack_user').map((e) => e.actor.id)).toEqual([ADVISOR.id]);
    const byToken = new Set(events.filter((e) => e.actor.kind !== 'slack_user').map((e) => e.type));
    expect([...byToken].sort()).toEqual(
      [
        'evidence_attached',
        'evidence_bundle_generated',
        'execution_phase_completed',
        'execution_phase_started',
        'execution_step_completed',
        'mission_completed',
        'mission_stage_transition',
        'test_suite_run',
      ].sort(),
    );
  });
});
