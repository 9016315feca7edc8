// Slack user groups as approvers, end to end: the admin names a group with `mission-control
// approvers`, the approval message the bot posts says who may approve, and a member of the
// group approves with a signed click on that message; membership comes from the (fake) Web
// API's usergroups.users.list, errors included.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runApproversCommand } from '../../src/approverCommands.js';
import { PROVIDERS } from '../support/databases.js';
import { OUTSIDER, SECURITY_LEAD, seedToApprovalRequested } from '../support/seedJourney.js';
import { ADVISOR, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { ACTION_IDS, eventually, openBotHarness, type BotHarness } from './slackHarness.js';

const SEC_LEADS = 'S0SECLEADS';

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

async function approvers(b: BotHarness, args: string[]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await runApproversCommand(args, b.app.config, out);
  return text;
}

const replyTo = (b: BotHarness, id: string) => b.fake.calls.find((c) => c.method === 'response_url' && c.args.id === id);

async function postedApproval(b: BotHarness) {
  return eventually(() => {
    const [m] = b.messagesWith(ACTION_IDS.approvalApprove);
    expect(m).toBeDefined();
    return m!;
  });
}

describe.each(PROVIDERS)('user-group approvers in Slack (%s)', (provider) => {
  it('a default install posts a request that says how to name approvers; members of the group named afterwards approve it', async () => {
    bot = await openBotHarness(provider);
    bot.fake.userGroups.set(SEC_LEADS, [SECURITY_LEAD.id, ADVISOR.id]);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    expect(mission.state).toBe('awaiting_approval');
    const message = await postedApproval(bot);
    expect(JSON.stringify(message.blocks)).toContain(
      'nobody can approve critical-risk plays yet. An admin names them with `mission-control approvers add --risk critical U…`',
    );

    await approvers(bot, ['add', '--risk', 'critical', SEC_LEADS]);
    await bot.click(message, ACTION_IDS.approvalApprove, SECURITY_LEAD, { responseUrlId: 'lead' });
    await eventually(async () => expect((await bot!.app.missions.getMission({ missionId: mission.id })).approval!.decisions).toHaveLength(1));
    await bot.click(message, ACTION_IDS.approvalApprove, ADVISOR, { responseUrlId: 'advisor' });
    const approved = await eventually(async () => {
      const m = await bot!.app.missions.getMission({ missionId: mission.id });
      expect(m.state).toBe('executing');
      return m;
    });
    expect(approved.approval!.decisions.map((d) => [d.approverId, d.viaGroup])).toEqual([
      [SECURITY_LEAD.id, SEC_LEADS],
      [ADVISOR.id, SEC_LEADS],
    ]);
    expect(bot.fake.callsTo('usergroups.users.list').map((c) => c.args.usergroup)).toEqual([SEC_LEADS, SEC_LEADS]);
  });

  it('names the group and its quota in the request, refuses non-members, says when the group cannot be read, then closes with a member', async () => {
    bot = await openBotHarness(provider);
    bot.fake.userGroups.set(SEC_LEADS, [SECURITY_LEAD.id, JORDAN.id]);
    await approvers(bot, ['add', '--risk', 'critical', '--required', '2', '--at-least', '1', ADVISOR.id, SEC_LEADS]);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    expect(mission.approval).toMatchObject({
      required: 2,
      eligibleApprovers: [ADVISOR.id],
      eligibleGroups: [SEC_LEADS],
      quota: { groupId: SEC_LEADS, count: 1 },
    });
    const message = await postedApproval(bot);
    expect(JSON.stringify(message.blocks)).toContain(
      `*Approvers:* <@${ADVISOR.id}>, members of <!subteam^${SEC_LEADS}> (at least 1 from <!subteam^${SEC_LEADS}>) — 2 more approvals needed`,
    );

    await bot.click(message, ACTION_IDS.approvalApprove, OUTSIDER, { responseUrlId: 'outsider' });
    // The mentions are live in the blocks people read; the notification text escapes them.
    await eventually(() =>
      expect(JSON.stringify(replyTo(bot!, 'outsider')?.args.blocks)).toContain(
        `You are not an approver for this mission. Ask <@${ADVISOR.id}> or a member of <!subteam^${SEC_LEADS}>.`,
      ),
    );
    // The requester is in the group, and still may not approve their own critical mission.
    await bot.click(message, ACTION_IDS.approvalApprove, JORDAN, { responseUrlId: 'requester' });
    await eventually(() => expect(String(replyTo(bot!, 'requester')?.args.text)).toContain('someone else must approve it'));

    bot.fake.withoutScope('usergroups:read');
    await bot.click(message, ACTION_IDS.approvalApprove, SECURITY_LEAD, { responseUrlId: 'no-scope' });
    await eventually(() =>
      expect(String(replyTo(bot!, 'no-scope')?.args.text)).toContain(`could not read the members of user group ${SEC_LEADS}: missing_scope`),
    );
    expect(String(replyTo(bot, 'no-scope')!.args.text)).toContain('usergroups:read');
    const after = await bot.app.missions.getMission({ missionId: mission.id });
    expect(after).toMatchObject({ state: 'awaiting_approval', approval: { decisions: [] } });

    // Slack answers again: the advisor (named in person, not in the group) and then a member close the request.
    bot.fake.clearMissingScopes();
    await bot.click(message, ACTION_IDS.approvalApprove, ADVISOR, { responseUrlId: 'advisor' });
    await eventually(async () => expect((await bot!.app.missions.getMission({ missionId: mission.id })).approval!.decisions).toHaveLength(1));
    await bot.click(message, ACTION_IDS.approvalApprove, SECURITY_LEAD, { responseUrlId: 'lead' });
    const approved = await eventually(async () => {
      const m = await bot!.app.missions.getMission({ missionId: mission.id });
      expect(m.state).toBe('executing');
      return m;
    });
    expect(approved.approval!.decisions.map((d) => [d.approverId, d.inQuotaGroup])).toEqual([
      [ADVISOR.id, false],
      [SECURITY_LEAD.id, true],
    ]);
  });

  it('a group Slack does not know is reported as such (no_such_subteam)', async () => {
    bot = await openBotHarness(provider);
    await approvers(bot, ['add', '--risk', 'critical', '--required', '1', 'S0DELETED']);
    const mission = await seedToApprovalRequested(bot.app.missions, new TestClock());
    const message = await postedApproval(bot);
    await bot.click(message, ACTION_IDS.approvalApprove, SECURITY_LEAD, { responseUrlId: 'gone' });
    await eventually(() => expect(String(replyTo(bot!, 'gone')?.args.text)).toContain('could not read the members of user group S0DELETED: no_such_subteam'));
    expect((await bot.app.missions.getMission({ missionId: mission.id })).approval!.decisions).toEqual([]);
  });
});
