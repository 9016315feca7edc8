// The App Home lists every approval waiting for the viewer, not only those among the most
// recently updated missions: opened by a signed app_home_opened event, shown soonest-to-expire
// first, with a count and a pointer past what Block Kit's 100 blocks can hold, and its Approve
// button (taken from the published Home) decides the oldest request.
import { afterEach, describe, expect, it } from 'vitest';
import type { Mission } from '../../src/domain/mission.js';
import { ACTION_IDS } from '../../src/slack/actionIds.js';
import { PROVIDERS } from '../support/databases.js';
import { SECURITY_LEAD, seedToApprovalRequested } from '../support/seedJourney.js';
import { ADVISOR } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { eventually, openBotHarness, type BotHarness } from './slackHarness.js';

const ENV = { SLACK_APPROVERS: [ADVISOR.id, SECURITY_LEAD.id].join(',') };
const MINUTE = 60_000;

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

describe.each(PROVIDERS)('App Home on %s', (provider) => {
  it('shows approvals waiting beyond the 50 most recently updated missions, with a count and a pointer past 40', async () => {
    bot = await openBotHarness(provider, ENV);
    const oldest = await seedToApprovalRequested(bot.app.missions, new TestClock());
    // 60 missions awaiting approval, each updated after the oldest: 44 also wait for the advisor,
    // 16 only for the security lead. Stored as they would be after their own requests (their
    // event logs are not needed by the Home).
    const request = oldest.approval!;
    for (let i = 0; i < 60; i++) {
      const at = oldest.updatedAt.getTime() + (i + 1) * MINUTE;
      const copy: Mission = {
        ...structuredClone(oldest),
        id: `msn_wait_${String(i).padStart(2, '0')}`,
        title: `Waiting mission ${i}`,
        channelId: null,
        threadTs: null,
        eventSeq: 0,
        updatedAt: new Date(at),
        approval: {
          ...request,
          id: `apr_wait_${i}`,
          expiresAt: new Date(Date.parse(request.expiresAt) + (i + 1) * MINUTE).toISOString(),
          eligibleApprovers: i < 44 ? [ADVISOR.id, SECURITY_LEAD.id] : [SECURITY_LEAD.id],
        },
      };
      await bot.app.db.missions.create(copy, []);
    }

    await bot.event({ type: 'app_home_opened', user: ADVISOR.id, channel: 'D0ADVISOR', tab: 'home' });
    const home = await eventually(() => {
      const v = bot!.fake.views.find((x) => x.method === 'views.publish' && x.userId === ADVISOR.id);
      expect(v).toBeDefined();
      return structuredClone(v!.view) as { blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text?: string }> }> };
    });
    const text = JSON.stringify(home);
    expect(text).toContain('Waiting for your approval (45)');
    expect(text).toContain(oldest.id);
    expect(home.blocks.filter((b) => b.type === 'actions')).toHaveLength(40);
    expect(text).toContain('…and 5 more waiting for you');
    expect(text).not.toContain('Waiting mission 44');
    expect(home.blocks.length).toBeLessThanOrEqual(100);
    // Soonest to expire first: the oldest request leads.
    const firstRow = home.blocks.find((b) => b.type === 'section' && b.text?.text.includes('`msn_'))!;
    expect(firstRow.text!.text).toContain(oldest.id);

    await bot.clickView(home, ACTION_IDS.approvalApprove, ADVISOR);
    await eventually(async () =>
      expect((await bot!.app.missions.getMission({ missionId: oldest.id })).approval!.decisions.map((d) => d.approverId)).toEqual([ADVISOR.id]),
    );
    const republished = await eventually(() => {
      const views = bot!.fake.views.filter((x) => x.method === 'views.publish' && x.userId === ADVISOR.id);
      expect(views).toHaveLength(2);
      return JSON.stringify(views[1]!.view);
    });
    expect(republished).toContain('Waiting for your approval (44)');
    expect(republished).not.toContain(oldest.id);
  }, 120_000);
});
