// The Slack journey with a model configured, through signed requests: `/mission` acks at once,
// the brief card appears in its drafting state and is edited in place when the model answers;
// `/mission budget <id> <usd>` sets the budget (recorded) and a bad amount is refused with
// nothing written.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JORDAN } from '../../src/demo/seedMission.js';
import { PROVIDERS } from '../support/databases.js';
import { eventually, openBotHarness, type BotHarness } from '../slack/slackHarness.js';
import { ANTHROPIC_BASE, fakeModelApis, intentOf } from './fakeModelApis.js';
import { RATE_LIMIT, scriptFor } from './scriptedAnswers.js';

const server = setupServer();
// Our server, the fake Slack and its response_url are on 127.0.0.1 and reached for real.
beforeAll(() => server.listen({ onUnhandledRequest: (request, print) => (new URL(request.url).hostname === '127.0.0.1' ? undefined : print.error()) }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ENV = { MODEL_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: ANTHROPIC_BASE, MISSION_BUDGET_USD: '0.5' };

describe.each(PROVIDERS)('Slack with a model on %s', (provider) => {
  let bot: BotHarness | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('shows the card as drafting at once, edits it when the model answers, and lets a person set the budget', async () => {
    let release!: () => void;
    const answered = new Promise<void>((resolve) => (release = resolve));
    server.use(
      ...fakeModelApis((task, prompt) => ({ json: task === 'draft' ? scriptFor(intentOf(prompt)).brief : { plays: scriptFor(prompt).plays } }), {
        gate: () => answered,
      }).handlers,
    );
    bot = await openBotHarness(provider, ENV);

    const ack = await bot.command(RATE_LIMIT.intent, JORDAN);
    expect(ack.status).toBe(200);
    // While the model is held back: the card is there, saying it is drafting, with the built-in chips.
    const first = await eventually(() => {
      const post = bot!.fake.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes('Mission brief'));
      expect(post).toBeDefined();
      return post!;
    });
    expect(JSON.stringify(first.args)).toContain('Drafting with `anthropic:claude-haiku-4-5`');
    const [mission] = (await bot.app.missions.listMissions({})).missions;
    expect((await bot.app.missions.getMission({ missionId: mission!.id })).brief.drafting?.status).toBe('drafting');

    release();
    // The same message is edited: the model's objective, its quote, and inferred items marked.
    const edited = await eventually(() => {
      const card = [...bot!.fake.messages.values()].find((m) => JSON.stringify(m.blocks).includes('Drafted by'));
      expect(card).toBeDefined();
      return card!;
    });
    expect([...bot.fake.messages.values()].filter((m) => String(m.text).startsWith('Mission brief'))).toEqual([edited]);
    const text = JSON.stringify(edited.blocks);
    expect(text).toContain(RATE_LIMIT.brief.chips[0]!.items[0]!);
    expect(text).toContain('p99 latency added by the limiter &lt; 2 ms _(inferred)_');
    expect(text).toContain('model spend $0.0029 of a $0.50 budget');
    expect(bot.fake.callsTo('chat.update').length).toBeGreaterThan(0);

    // A person raises the budget; the answer goes to them only.
    await bot.command(`budget ${mission!.id} 2`, JORDAN);
    await eventually(() =>
      expect(JSON.stringify(bot!.fake.calls.filter((c) => c.method === 'response_url').at(-1)?.args)).toContain(`Budget for ${mission!.id} is now $2.00`),
    );
    const raised = await bot.app.missions.getMission({ missionId: mission!.id });
    expect(raised.models!.budgetUsd).toBe(2);
    expect((await bot.app.missions.events({ missionId: mission!.id })).filter((e) => e.type === 'budget_changed').map((e) => e.payload)).toEqual([
      { from_usd: 0.5, to_usd: 2, spent_usd: raised.models!.total.costUsd, paused: false },
    ]);

    // A bad amount is refused, naming the field, and nothing is written.
    await bot.command(`budget ${mission!.id} lots`, JORDAN);
    await eventually(() =>
      expect(JSON.stringify(bot!.fake.calls.filter((c) => c.method === 'response_url').at(-1)?.args)).toContain(
        'budgetUsd must be a number, got a string (\\"lots\\")',
      ),
    );
    expect((await bot.app.missions.getMission({ missionId: mission!.id })).version).toBe(raised.version);
  });
});
