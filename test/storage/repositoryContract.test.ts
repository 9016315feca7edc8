// The MissionRepository contract, run against SQLite, PostgreSQL (with TEST_DATABASE_URL) and the
// in-memory repository the rule tests use, so the in-memory one cannot drift from the real ones.
import type { ArtifactRecord } from '../../src/domain/evidence.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { LibraryEntry } from '../../src/domain/library.js';
import type { MissionRepository } from '../../src/domain/missionRepository.js';
import { MissionService } from '../../src/domain/missionService.js';
import { openTestDatabase, PROVIDERS } from '../support/databases.js';
import { InMemoryMissionRepository } from '../support/inMemoryMissionRepository.js';
import { refusal } from '../support/refusal.js';
import { SECURITY_LEAD, SEED_PLAY_1, SEED_POLICY, seedToApprovalRequested, seedToExecuting, seedToPlanning } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
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

  it('stores an attached artifact with the event that records it, and a save that lost the race stores neither', async () => {
    const planning = await seedToPlanning(service, clock);
    const [last] = (await repository.events(planning.id)).slice(-1);
    const record = (id: string): ArtifactRecord => ({
      id,
      name: `${id}.log`,
      kind: 'file',
      mediaType: 'text/plain',
      sha256: 'b'.repeat(64),
      sizeBytes: 4,
      url: null,
      phaseId: null,
      review: null,
      checks: null,
      attachedBy: ASSISTANT,
      attachedAt: clock.now().toISOString(),
    });
    const attach = (id: string, position: number, seq: number) => ({
      event: {
        id: `evt_${id}`,
        missionId: planning.id,
        seq,
        type: 'evidence_attached' as const,
        stage: 'execute_observe' as const,
        actor: ASSISTANT,
        occurredAt: clock.now(),
        payload: { artifactId: id } as never,
        prevHash: last!.hash,
        hash: `hash_${id}`,
      },
      writes: {
        artifacts: [{ id, name: `${id}.log`, kind: 'file', sha256: 'b'.repeat(64), content: 'ok\n', attachedAt: clock.now(), position, record: record(id) }],
        replaceChildren: false,
      },
    });
    const won = attach('art_won', 0, planning.eventSeq + 1);
    const saved = { ...planning, version: planning.version + 1, eventSeq: planning.eventSeq + 1, headHash: 'hash_art_won' };
    await repository.save(saved, planning.version, [won.event], won.writes);
    // Another writer that started from the same version: refused, and its artifact and event are not stored.
    const lost = attach('art_lost', 0, planning.eventSeq + 1);
    const error = await refusal(repository.save({ ...saved, headHash: 'hash_art_lost' }, planning.version, [lost.event], lost.writes));
    expect(error.code).toBe('concurrent_update');
    expect(await repository.artifactContents(planning.id)).toEqual(new Map([['art_won', 'ok\n']]));
    expect(await repository.artifactPage(planning.id, 0, 10)).toEqual([record('art_won')]);
    expect((await repository.events(planning.id)).slice(-1).map((e) => e.id)).toEqual(['evt_art_won']);
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
    const record: ArtifactRecord = {
      id: 'art_1',
      name: 'plan.md',
      kind: 'file',
      mediaType: 'text/markdown',
      sha256: 'a'.repeat(64),
      sizeBytes: 6,
      url: null,
      phaseId: null,
      review: null,
      checks: null,
      attachedBy: JORDAN,
      attachedAt: clock.now().toISOString(),
    };
    const artifacts = [{ id: 'art_1', name: 'plan.md', kind: 'file', sha256: 'a'.repeat(64), content: '# plan', attachedAt: clock.now(), position: 0, record }];
    await repository.save({ ...planning, version: planning.version + 1 }, planning.version, [], { artifacts, libraryEntry: entry, replaceChildren: false });

    expect(await repository.artifactContents(planning.id)).toEqual(new Map([['art_1', '# plan']]));
    expect(await repository.artifactPage(planning.id, 0, 10)).toEqual([record]);
    expect(await repository.artifactPage(planning.id, 1, 10)).toEqual([]);
    expect((await repository.searchLibrary({ tags: ['security', 'billing'], limit: 5 })).map((m) => [m.entry.id, m.matchedTags])).toEqual([
      ['lib_1', ['security']],
    ]);
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
    expect(page1.missions[0]).toEqual({
      id: third.id,
      title: third.title,
      state: third.state,
      requester: third.requester,
      channelId: 'C1',
      createdAt: third.createdAt,
      updatedAt: third.updatedAt,
    });
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

  it('matches text anywhere in title or intent, every character literally, in pages, and follows a renamed title', async () => {
    const start = async (intent: string) => {
      clock.advance(1000);
      return service.startMission({ intent, channelId: 'C1' }, JORDAN);
    };
    const percent = await start('Raise the cache hit rate to 100% on the edge');
    const underscore = await start('Rename user_id columns in the reports service');
    const backslash = await start('Escape C:\\temp\\logs paths in the uploader');
    const quoted = await start('Say "hello" in the checkout banner');
    const checkout = await start('Fix the flaky checkout test in CI');
    const ids = async (text: string, more: { state?: 'planning' } = {}) => (await repository.list({ limit: 10, text, ...more })).missions.map((m) => m.id);

    expect(await ids('ckou')).toEqual([checkout.id, quoted.id]);
    expect(await ids('FLAKY CHECKOUT')).toEqual([checkout.id]);
    expect(await ids('%')).toEqual([percent.id]);
    expect(await ids('0%')).toEqual([percent.id]);
    expect(await ids('100% on')).toEqual([percent.id]);
    expect(await ids('_')).toEqual([underscore.id]);
    expect(await ids('r_id')).toEqual([underscore.id]);
    expect(await ids('r_port')).toEqual([]);
    expect(await ids('\\')).toEqual([backslash.id]);
    expect(await ids('c:\\temp\\')).toEqual([backslash.id]);
    expect(await ids('"hello"')).toEqual([quoted.id]);
    expect(await ids('"')).toEqual([quoted.id]);
    expect(await ids('checkout', { state: 'planning' })).toEqual([]);

    const page1 = await repository.list({ limit: 1, text: 'checkout' });
    expect(page1.missions.map((m) => m.id)).toEqual([checkout.id]);
    const page2 = await repository.list({ limit: 1, text: 'checkout', cursor: page1.nextCursor! });
    expect(page2.missions.map((m) => m.id)).toEqual([quoted.id]);
    expect(page2.nextCursor).toBeNull();

    const rename = async (title: string) => {
      const stored = (await repository.get(percent.id))!;
      await repository.save({ ...stored, title, version: stored.version + 1 }, stored.version, []);
    };
    await rename('Zebra crossing');
    expect(await ids('zebra')).toEqual([percent.id]);
    await rename('Giraffe enclosure');
    expect(await ids('zebra')).toEqual([]);
    expect(await ids('giraffe')).toEqual([percent.id]);
    expect(await ids('100%')).toEqual([percent.id]);
  });

  it('ranks library matches by shared tags, then reuse score, then newest pin, and matches text literally', async () => {
    const pin = async (id: string, tags: string[], reuseScore: number, note: string) => {
      clock.advance(1000);
      const mission = await service.startMission({ intent: `Mission for ${id}`, channelId: 'C1' }, JORDAN);
      const entry: LibraryEntry = {
        id,
        missionId: mission.id,
        playId: 'play_1',
        title: `Play ${id}`,
        tags,
        note,
        rating: 5,
        reuseScore,
        play: SEED_PLAY_1,
        pinnedBy: JORDAN,
        pinnedAt: clock.now().toISOString(),
      };
      await repository.save({ ...mission, version: mission.version + 1 }, mission.version, [], { libraryEntry: entry, replaceChildren: false });
    };
    await pin('lib_a', ['auth', 'jwt'], 1, 'Rotated keys behind a flag');
    await pin('lib_b', ['auth'], 5, 'Calm rollout');
    await pin('lib_c', ['auth'], 5, 'Calm rollout, again');
    await pin('lib_d', ['billing'], 9, 'Refunded 100% of the failed charges');
    const found = async (search: { tags?: string[]; text?: string; limit: number }) =>
      (await repository.searchLibrary(search)).map((m) => [m.entry.id, m.matchedTags]);

    expect(await found({ tags: ['auth', 'jwt'], limit: 10 })).toEqual([
      ['lib_a', ['auth', 'jwt']],
      ['lib_c', ['auth']],
      ['lib_b', ['auth']],
    ]);
    expect(await found({ tags: ['auth', 'jwt'], limit: 2 })).toEqual([
      ['lib_a', ['auth', 'jwt']],
      ['lib_c', ['auth']],
    ]);
    expect(await found({ tags: ['jwt'], text: 'REFUND', limit: 10 })).toEqual([
      ['lib_a', ['jwt']],
      ['lib_d', []],
    ]);
    expect(await found({ text: '%', limit: 10 })).toEqual([['lib_d', []]]);
    expect(await found({ text: '0%', limit: 10 })).toEqual([['lib_d', []]]);
    expect(await found({ text: 'play lib_', limit: 10 })).toEqual([
      ['lib_d', []],
      ['lib_c', []],
      ['lib_b', []],
      ['lib_a', []],
    ]);
    expect(await found({ text: 'l_b', limit: 10 })).toEqual([]);
    expect(await found({ limit: 2 })).toEqual([
      ['lib_d', []],
      ['lib_c', []],
    ]);
  });

  it('finds the missions in flight that hold evidence from a repository, and only those', async () => {
    const linked = await seedToExecuting(service, clock);
    const other = await seedToExecuting(service, clock);
    const planning = await seedToPlanning(service, clock);
    await service.attachEvidence({ missionId: linked.id, name: 'PR #47', kind: 'link', url: 'https://github.com/acme/pay_ments/pull/47' }, JORDAN);
    await service.attachEvidence({ missionId: other.id, name: 'PR #9', kind: 'link', url: 'https://github.com/acme/web/pull/9' }, JORDAN);
    expect(await repository.githubCandidates('acme/pay_ments')).toEqual([linked.id]);
    expect(await repository.githubCandidates('acme/web')).toEqual([other.id]);
    expect(await repository.githubCandidates('acme/mobile')).toEqual([]);
    expect(await repository.githubCandidates('%')).toEqual([]);
    expect((await repository.githubCandidates('acme/web')).includes(planning.id)).toBe(false);
  });

  it('gives a person their latest missions and every approval they may still decide, and drops it once they decided', async () => {
    const requested = await seedToApprovalRequested(service, clock);
    const awaiting = { id: requested.id, title: requested.title, state: requested.state, plays: requested.plays, approval: requested.approval };
    expect(await repository.overviewOf(ADVISOR.id, 20)).toEqual({ missions: [], awaitingApproval: [awaiting] });
    const jordans = await repository.overviewOf(JORDAN.id, 20);
    expect(jordans.missions.map((m) => m.id)).toEqual([requested.id]);
    expect(jordans.awaitingApproval).toEqual([]);

    // The seed's critical play needs two approvals: after the advisor's, the security lead is still asked.
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    expect((await repository.overviewOf(ADVISOR.id, 20)).awaitingApproval).toEqual([]);
    expect((await repository.overviewOf(SECURITY_LEAD.id, 20)).awaitingApproval.map((m) => m.id)).toEqual([requested.id]);
  });
});
