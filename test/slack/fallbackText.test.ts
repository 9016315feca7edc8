// Every message the bot posts has a top-level `text` (notifications, fallback) that Slack parses
// as mrkdwn: user and assistant text in it must never open a mention, a broadcast or a link.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Mission } from '../../src/domain/mission.js';
import { approvalMessage } from '../../src/slack/approvalMessage.js';
import type { SlackMessage } from '../../src/slack/blockKitLimits.js';
import { fallbackText } from '../../src/slack/format.js';
import { notice } from '../../src/slack/interactionReplies.js';
import { usageMessage } from '../../src/slack/usageMessages.js';
import { buildSlackFixtures, type SlackFixtures } from './fixtureMissions.js';
import { renderSurfaces, type Surface } from './renderedSurfaces.js';

const HOSTILE = 'Ship it <!channel> <@U0EVIL> <https://evil.example|click to approve> & <!here>';

/** The mission with every free-text field a message's `text` can show set to HOSTILE. */
function hostile(mission: Mission): Mission {
  return {
    ...mission,
    title: HOSTILE,
    plays: mission.plays.map((p) => ({ ...p, title: HOSTILE })),
    execution: mission.execution && {
      ...mission.execution,
      phases: mission.execution.phases.map((p) => ({ ...p, name: HOSTILE })),
      alerts: mission.execution.alerts.map((a) => ({ ...a, description: HOSTILE })),
    },
  };
}

const isMessage = (surface: Surface): surface is SlackMessage => typeof (surface as SlackMessage).text === 'string';

/** What is live in a text: every <…> token and every & not starting one of the three escapes. */
function liveTokens(text: string): string[] {
  return [...(text.match(/<[^>]*>/g) ?? []), ...(text.match(/&(?!amp;|lt;|gt;)/g) ?? [])];
}

let messages: Array<[string, SlackMessage]>;
let fixtures: SlackFixtures;

beforeAll(async () => {
  fixtures = await buildSlackFixtures();
  const f = fixtures;
  const hostileFixtures = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, k === 'summaries' ? v : hostile(v as Mission)])) as unknown as SlackFixtures;
  const rendered = renderSurfaces(hostileFixtures);
  messages = Object.entries(rendered).flatMap(([file, cases]) =>
    Object.entries(cases)
      .filter(([, s]) => isMessage(s))
      .map(([name, s]) => [`${file}/${name}`, s as SlackMessage] as [string, SlackMessage]),
  );
  messages.push(['usageMessage', usageMessage(`Unknown subcommand ${HOSTILE}`)], ['notice', notice(`⚠️ ${HOSTILE}`)]);
});

describe('fallback text of every message', () => {
  it('covers every message group the bot posts, hostile text included', () => {
    const groups = new Set(messages.map(([name]) => name.split('/')[0]));
    for (const group of [
      'briefCard',
      'toolkitMessage',
      'playsMessage',
      'approvalMessage',
      'executionStatus',
      'alertMessage',
      'reflectionMessage',
      'usageMessages',
      'missionStatus',
    ])
      expect(groups).toContain(group);
    expect(messages.filter(([, m]) => m.text.includes('&lt;!channel&gt;')).length).toBeGreaterThanOrEqual(10);
  });

  it('escapes &, < and > so no mention, broadcast or link is live', () => {
    const live = messages.flatMap(([name, message]) =>
      liveTokens(message.text)
        .filter((t) => !/^<@U0[A-Z0-9]+>$/.test(t) || t === '<@U0EVIL>')
        .map((t) => `${name}: ${t}`),
    );
    expect(live).toEqual([]);
    for (const [name, message] of messages) {
      if (message.text.includes('Ship it'))
        expect(message.text, name).toContain('Ship it &lt;!channel&gt; &lt;@U0EVIL&gt; &lt;https://evil.example|click to approve&gt; &amp; &lt;!here&gt;');
    }
  });

  it('keeps the approval request’s mentions of its approvers live, and only those', () => {
    const mission = hostile(fixtures.approvalPending);
    const text = approvalMessage(mission).text;
    const mentions = text.match(/<@[A-Z0-9]+>/g) ?? [];
    expect(mentions.sort()).toEqual(mission.approval!.eligibleApprovers.map((id) => `<@${id}>`).sort());
    expect(text).not.toContain('<@U0EVIL>');
  });

  it('cuts escaped text to Slack’s limit without leaving half an escape behind', () => {
    const text = fallbackText('<'.repeat(5000));
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toMatch(/^(&lt;)+…$/);
  });
});
