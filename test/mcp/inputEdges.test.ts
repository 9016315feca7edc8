// Input no store can keep, and refusals that stay small: NUL and lone surrogates are refused
// naming the field with nothing written; `%` and `_` in a text filter match themselves; a
// refusal of a megabyte-sized key echoes only an excerpt of it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { SEED_POLICY } from '../support/seedJourney.js';
import { ASSISTANT } from '../support/seedMission.js';
import { openHarness, wholeFootprint, type Harness } from './mcpHarness.js';

describe.each(PROVIDERS)('input edges over MCP on %s', (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY });
  });
  afterEach(async () => {
    await h.close();
  });

  it.each([
    ['a NUL character', 'Fix the login\u0000 bug in the session store', /intent contains a NUL character/],
    ['a lone high surrogate', 'Fix the login \ud83d bug in the session store', /intent contains a lone UTF-16 surrogate/],
    ['a lone low surrogate', 'Fix the login \ude00 bug in the session store', /intent contains a lone UTF-16 surrogate/],
  ])('refuses an intent with %s, naming the field, and writes nothing', async (_what, intent, message) => {
    const before = await wholeFootprint(h.service);
    const error = await h.refused('start_mission', { intent });
    expect(error).toMatchObject({ code: 'invalid_input', details: { field: 'intent' } });
    expect(error.text).toMatch(message);
    expect(await wholeFootprint(h.service)).toBe(before);
  });

  it('refuses a NUL deep inside otherwise valid plays, naming the path', async () => {
    const started = await h.ok<{ mission: { id: string } }>('start_mission', { intent: 'Fix the flaky checkout test in CI' });
    const before = await wholeFootprint(h.service);
    const error = await h.refused('update_brief', { missionId: started.mission.id, kind: 'scope', items: ['ci config', 'tests\u0000'] });
    expect(error).toMatchObject({ code: 'invalid_input', details: { field: 'items[1]' } });
    expect(await wholeFootprint(h.service)).toBe(before);
  });

  it('matches % and _ in a text filter literally', async () => {
    await h.ok('start_mission', { intent: 'Raise the cache hit rate to 100% on the edge' });
    await h.ok('start_mission', { intent: 'Rename user_id columns in the reports service' });
    await h.ok('start_mission', { intent: 'Fix the flaky checkout test in CI' });
    const titles = async (text: string) => (await h.ok<{ missions: { title: string }[] }>('list_missions', { text })).missions.map((m) => m.title);
    expect(await titles('%')).toHaveLength(1);
    expect((await titles('%'))[0]).toContain('100%');
    expect(await titles('_')).toHaveLength(1);
    expect((await titles('_'))[0]).toContain('user_id');
    expect(await titles('r_port')).toEqual([]);
    expect(await titles('checkout')).toHaveLength(1);
  });

  it('echoes only an excerpt of a 3 MB unknown key', async () => {
    const key = 'k'.repeat(3 * 1024 * 1024);
    const result = await h.call('start_mission', { intent: 'Fix the flaky checkout test in CI', [key]: 1 });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result).length).toBeLessThan(4_000);
    expect(JSON.stringify(result)).toContain('unknown field');
    expect(await wholeFootprint(h.service)).toBe(await wholeFootprint(h.service));
  });
});
