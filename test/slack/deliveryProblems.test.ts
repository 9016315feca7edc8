// What a person reads when Slack cannot show a mission, and the short version of a refused message.
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/actionIds.js';
import { checkBlockKitLimits } from '../../src/slack/blockKitLimits.js';
import { channelUnreachableNotice, shorterVersions, UnreachableChannelNotices } from '../../src/slack/deliveryProblems.js';
import { toolkitMessage } from '../../src/slack/toolkitMessage.js';
import { buildSlackFixtures, type SlackFixtures } from './fixtureMissions.js';
import { buttons } from './surfaceHelpers.js';

let f: SlackFixtures;
beforeAll(async () => {
  f = await buildSlackFixtures();
});

describe('when the bot cannot post in the channel', () => {
  it('says how to fix it for a channel, a direct message and an archived channel, naming the mission', () => {
    expect(channelUnreachableNotice('msn_0001', 'C0PRIVATE', 'channel_not_found')).toMatch(
      /not in <#C0PRIVATE>.*`\/invite @Mission Control`.*`\/mission status msn_0001`/,
    );
    expect(channelUnreachableNotice('msn_0001', 'D0JORDAN', 'channel_not_found')).toMatch(
      /direct message between people.*Start missions from a channel I am in/,
    );
    expect(channelUnreachableNotice('msn_0001', 'C0OLD', 'is_archived')).toMatch(/archived.*Unarchive/);
  });

  it('tells the person whichever comes first, the command or the failed post, once', async () => {
    const told: string[] = [];
    const notices = new UnreachableChannelNotices(() => 0);
    await notices.report('msn_a', 'C1', 'not_in_channel');
    await notices.watch('msn_a', async (text) => void told.push(`a: ${text}`));
    await notices.watch('msn_b', async (text) => void told.push(`b: ${text}`));
    await notices.report('msn_b', 'C1', 'not_in_channel');
    await notices.report('msn_b', 'C1', 'not_in_channel');
    expect(told.map((t) => t.slice(0, 2))).toEqual(['a:', 'b:']);
  });

  it('forgets a waiting command once its response_url has expired (30 minutes)', async () => {
    let now = 0;
    const told: string[] = [];
    const notices = new UnreachableChannelNotices(() => now);
    await notices.watch('msn_a', async (text) => void told.push(text));
    now = 31 * 60_000;
    await notices.report('msn_a', 'C1', 'not_in_channel');
    expect(told).toEqual([]);
  });
});

describe('short versions of a refused message', () => {
  it('keeps the message’s buttons first, then falls back to the note alone; both within Block Kit limits', () => {
    const full = toolkitMessage(f.toolkitsRecommended);
    const [withButtons, noteOnly] = shorterVersions(full, 'msn_0001', 'msg_too_long');
    expect(buttons(withButtons!).map((b) => b.actionId)).toContain(ACTION_IDS.toolkitsConfirm);
    expect(JSON.stringify(withButtons!.blocks[0])).toContain('`msg_too_long`');
    expect(JSON.stringify(withButtons!.blocks[0])).toContain('/mission status msn_0001');
    expect(noteOnly!.blocks).toHaveLength(1);
    for (const version of [withButtons!, noteOnly!]) expect(checkBlockKitLimits(version)).toEqual([]);
  });
});
