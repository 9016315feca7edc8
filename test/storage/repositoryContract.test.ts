// The MissionRepository contract, run against SQLite, PostgreSQL (with TEST_DATABASE_URL) and the
// in-memory repository the rule tests use, so the in-memory one cannot drift from the real ones.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { LibraryEntry } from '../../src/domain/library.js';
import type { MissionRepository } from '../../src/domain/missionRepository.js';
import { MissionService } from '../../src/domain/missionService.js';
import { openTestDatabase, PROVIDERS } from '../support/databases.js';
import { InMemoryMissionRepository } from '../support/inMemoryMissionRepository.js';
import { refusal } from '../support/refusal.js';
import { SEED_PLAY_1, SEED_POLICY, seedToApprovalRequested, seedToExecuting, seedToPlanning } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const REPOSITORIES: Array<[string, () => Promise<{ repository: MissionRepository; destroy: () => Promise<void> }>]> = [
  ...PROVIDERS.map((provider): [string, () => Promise<{ repository: MissionRepository; destroy: () => Promise<void> }>] => [
    provider,
    async () => {
      const db = await openTestDatabase(provider);
      return { repository: db.missions, destroy: () => db.destroy() };
    },
  ]),
  ['memory', async () => ({ repository: new InMemoryMissionRepository(), destroy: async () => undefined })],
];

describe.each(REPOSITORIES)('MissionRepository contract on %s', (_name, open) => {
  let repository: MissionRepository;
  let destroy: () => Promise<void>;
  let clock: TestClock;
  let service: MissionService;

  beforeEach(async () => {
    ({ repository, destroy } = await open());
    clock = new TestClock();
    service = new MissionService({ repository, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter, approvalPolicy: SEED_POLICY });
  });
  afterEach(async () => {
    await destroy();
  });

  it('reads back what the service saved through a journey, with every event in sequence', async () => {
    const executing = await seedToExecuting(service, clock);
    const stored = await repository.get(executing.id);
    expect(stored).toEqual(executing);
    const events = await repository.events(executing.id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: executing.eventSeq }, (_, i) => i + 1));
    expect(events.at(-1)!.hash).toBe(executing.headHash);
    expect(await service.verifyEventLog({ missionId: executing.id })).toMatchObject({ ok: true });
    expect(await repository.get('msn_missing')).toBeNull();
  });

  it('hands out copies: changing a loaded mission or event changes nothing stored', async () => {
    const planning = await seedToPlanning(service, clock);
    const loaded = (await repository.get(planning.id))!;
    loaded.tags.push('tampered');
    loaded.brief.chips[0]!.items.push('tampered');
    loaded.title = 'tampered';
    const events = await repository.events(planning.id);
    events[0]!.type = 'mission_cancelled' as never;
    expect(await repository.get(planning.id)).toEqual(planning);
    expect((await repository.events(planning.id))[0]!.type).not.toBe('mission_cancelled');
  });

  it('refuses a save at a stale version with concurrent_update and writes nothing', async () => {
    const planning = await seedToPlanning(service, clock);
    const eventsBefore = await repository.events(planning.id);
    const stale = { ...planning, title: 'Written by a writer who lost the race', version: planning.version };
    const error = await refusal(repository.save(stale, planning.version - 1, []));
    expect(error.code).toBe('concurrent_update');
    expect(await repository.get(planning.id)).toEqual(planning);
    expect(await repository.events(planning.id)).toEqual(eventsBefore);
  });

  it('stores artifacts and a library entry with the save, and finds the entry by tag and by text', async () => {
    const planning = await seedToPlanning(service, clock);
    const entry: LibraryEntry = {
      id: 'lib_1',
      missionId: planning.id,
      playId: 'play_1',
      title: 'Incremental auth hardening',
      tags: ['auth', 'security'],
      note: 'Feature flags made the rollout calm',
      rating: 5,
      reuseScore: 1,
      play: SEED_PLAY_1,
      pinnedBy: JORDAN,
      pinnedAt: '2025-10-16T10:00:00.000Z',
    };
    const artifacts = [{ id: 'art_1', name: 'plan.md', kind: 'file', sha256: 'a'.repeat(64), content: '# plan', attachedAt: clock.now() }];
    await repository.save({ ...planning, version: planning.version + 1 }, planning.version, [], { artifacts, libraryEntry: entry, replaceChildren: false });

    expect(await repository.artifactContents(planning.id)).toEqual(new Map([['art_1', '# plan']]));
    expect((await repository.searchLibrary({ tags: ['security', 'billing'], limit: 5 })).map((m) => [m.entry.id, m.matchedTags])).toEqual([['lib_1', ['security']]]);
    expect((await repository.searchLibrary({ text: 'CALM', limit: 5 })).map((m) => m.entry)).toEqual([entry]);
    expect(await repository.searchLibrary({ tags: ['billing'], limit: 5 })).toEqual([]);
  });

  it('lists newest first in pages, filters by state, requester and text (any case), and refuses a foreign cursor', async () => {
    const first = await service.startMission({ intent: 'Rotate the staging database credentials', channelId: 'C1' }, ASSISTANT);
    clock.advance(1000);
    const second = await service.startMission({ intent: 'Fix the flaky checkout test', channelId: 'C1' }, JORDAN);
    clock.advance(1000);
    const third = await service.startMission({ intent: 'Upgrade the payment SDK', channelId: 'C1' }, JORDAN);

    const page1 = await repository.list({ limit: 2 });
    expect(page1.missions.map((m) => m.id)).toEqual([third.id, second.id]);
    const page2 = await repository.list({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.missions.map((m) => m.id)).toEqual([first.id]);
    expect(page2.nextCursor).toBeNull();
    expect((await repository.list({ limit: 10, requesterId: JORDAN.id })).missions.map((m) => m.id)).toEqual([third.id, second.id]);
    expect((await repository.list({ limit: 10, text: 'FLAKY' })).missions.map((m) => m.id)).toEqual([second.id]);
    expect((await repository.list({ limit: 10, state: 'planning' })).missions).toEqual([]);
    expect(page1.missions[0]).toEqual({ id: third.id, title: third.title, state: third.state, requester: third.requester, channelId: 'C1', createdAt: third.createdAt, updatedAt: third.updatedAt });
    expect((await refusal(repository.list({ limit: 2, cursor: 'not-a-cursor' }))).details.field).toBe('cursor');
    expect(await repository.countByState()).toEqual({ [first.state]: 3 });
  });

  it('finds approval requests that expired, oldest first, and counts precedents for shared tags', async () => {
    const requested = await seedToApprovalRequested(service, clock);
    expect(await repository.overdueApprovals(clock.now(), 10)).toEqual([]);
    expect(await repository.overdueApprovals(new Date(requested.approval!.expiresAt), 10)).toEqual([requested.id]);
    expect(await repository.overdueApprovals(new Date(requested.approval!.expiresAt), 0)).toEqual([]);

    const selected = requested.toolkits.filter((t) => t.selected).map((t) => t.toolkitId);
    const precedents = await repository.countToolkitPrecedents(requested.tags, 'msn_other');
    expect(precedents).toEqual(Object.fromEntries(selected.map((id) => [id, 1])));
    expect(await repository.countToolkitPrecedents(requested.tags, requested.id)).toEqual({});
    expect(await repository.countToolkitPrecedents([], 'msn_other')).toEqual({});
  });
});
