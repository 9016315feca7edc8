// Finding missions and plays as an assistant does, through a real MCP SDK Client: list_missions
// matches its text anywhere in a title or intent (inside words too, any case, every character
// literally) and pages through the matches; search_library ranks by shared tags, then reuse
// score, then the most recent pin, and matches its text literally.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LibraryEntry } from '../../src/domain/library.js';
import { PROVIDERS } from '../support/databases.js';
import { SEED_PLAY_1, SEED_POLICY } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { openHarness, type Harness } from './mcpHarness.js';

describe.each(PROVIDERS)('searching over MCP on %s', (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY });
  });
  afterEach(async () => {
    await h.close();
  });

  const start = async (intent: string) => {
    h.clock.advance(1000);
    return (await h.ok<{ mission: { id: string; title: string } }>('start_mission', { intent })).mission;
  };

  it('list_missions finds text inside words, in any case, literally, page by page', async () => {
    const flaky = await start('Fix the flaky checkout test in CI');
    const banner = await start('Show the checkout banner on C:\\shop\\home');
    await start('Rotate the staging database credentials');
    type Page = { missions: { id: string }[]; nextCursor: string | null };
    const ids = async (args: Record<string, unknown>) => (await h.ok<Page>('list_missions', args)).missions.map((m) => m.id);

    expect(await ids({ text: 'ECKOU' })).toEqual([banner.id, flaky.id]);
    expect(await ids({ text: 'shop\\home' })).toEqual([banner.id]);
    expect(await ids({ text: 'sh_p' })).toEqual([]);
    expect(await ids({ text: 'check%' })).toEqual([]);

    const first = await h.ok<Page>('list_missions', { text: 'checkout', limit: 1 });
    expect(first.missions.map((m) => m.id)).toEqual([banner.id]);
    const second = await h.ok<Page>('list_missions', { text: 'checkout', limit: 1, cursor: first.nextCursor });
    expect(second.missions.map((m) => m.id)).toEqual([flaky.id]);
    expect(second.nextCursor).toBeNull();
  });

  it('search_library ranks shared tags, then reuse score, then the latest pin, and matches text literally', async () => {
    const pin = async (id: string, title: string, tags: string[], reuseScore: number, note: string) => {
      const mission = await start(`Mission behind ${title}`);
      const stored = (await h.db.missions.get(mission.id))!;
      const entry: LibraryEntry = {
        id,
        missionId: mission.id,
        playId: 'play_1',
        title,
        tags,
        note,
        rating: 5,
        reuseScore,
        play: SEED_PLAY_1,
        pinnedBy: JORDAN,
        pinnedAt: h.clock.now().toISOString(),
      };
      await h.db.missions.save({ ...stored, version: stored.version + 1 }, stored.version, [], { libraryEntry: entry, replaceChildren: false });
    };
    await pin('lib_keys', 'Rotate signing keys', ['auth', 'jwt'], 1, 'Behind a flag');
    await pin('lib_calm', 'Calm auth rollout', ['auth'], 4, 'Canary first');
    await pin('lib_calmer', 'Calmer auth rollout', ['auth'], 4, 'Canary, then 10%');
    await pin('lib_refund', 'Refund failed charges', ['billing'], 9, 'Refunded 100% within a day');
    type Found = { matches: { entryId: string; matchedTags: string[] }[] };
    const found = async (args: Record<string, unknown>) =>
      (await h.ok<Found>('search_library', args)).matches.map((m) => `${m.entryId}:${m.matchedTags.join('+')}`);

    expect(await found({ tags: ['auth', 'jwt'] })).toEqual(['lib_keys:auth+jwt', 'lib_calmer:auth', 'lib_calm:auth']);
    expect(await found({ tags: ['jwt'], text: 'REFUND' })).toEqual(['lib_keys:jwt', 'lib_refund:']);
    expect(await found({ text: '%' })).toEqual(['lib_refund:', 'lib_calmer:']);
    expect(await found({ text: 'auth roll' })).toEqual(['lib_calmer:', 'lib_calm:']);
    expect(await found({ text: 'c_lm' })).toEqual([]);
    expect(await found({ limit: 2 })).toEqual(['lib_refund:', 'lib_calmer:']);
  });
});
