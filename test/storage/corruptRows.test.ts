// A row the domain cannot trust (bad JSON, a document of the wrong shape, an unknown state) is
// refused at the storage boundary with an error naming the mission and the column; the process
// keeps serving other missions and the broken row is left as it was.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { openDatabase } from '../../src/storage/database.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { SEED_POLICY, seedToExecuting, seedToPlanning } from '../support/seedJourney.js';
import { ASSISTANT } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

describe.each(PROVIDERS)('corrupt mission rows on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock();
    const ids = sequentialIds();
    service = new MissionService({ repository: db.missions, clock, ids, drafter: deterministicBriefDrafter, approvalPolicy: SEED_POLICY });
  });
  afterEach(async () => {
    await db.destroy();
  });

  /** Overwrites one column of the mission row with raw SQL, as a bad migration or a hand edit would. */
  const corrupt = (missionId: string, column: string, value: string | null) =>
    db.prisma.$executeRawUnsafe(
      `UPDATE "Mission" SET "${column}" = ${provider === 'postgresql' ? '$1' : '?'} WHERE "id" = ${provider === 'postgresql' ? '$2' : '?'}`,
      value,
      missionId,
    );
  const storedRow = (missionId: string) => db.prisma.mission.findUniqueOrThrow({ where: { id: missionId } });
  /**
   * Reads the mission as a restarted server would: a row changed behind the service's back keeps
   * its version, and a process that remembers the mission at that version serves it from memory.
   */
  const readAfterRestart = async (missionId: string) => {
    const restarted = await openDatabase(db.url);
    try {
      const fresh = new MissionService({
        repository: restarted.missions,
        clock,
        ids: sequentialIds(),
        drafter: deterministicBriefDrafter,
        approvalPolicy: SEED_POLICY,
      });
      return await fresh.getMission({ missionId });
    } finally {
      await restarted.close();
    }
  };

  it.each([
    ['brief', '{"chips": [', 'not valid JSON'],
    ['brief', '{"chips": "none", "editsMade": 0, "lockedAt": null}', 'not a valid brief document'],
    ['requester', '{"kind": "robot", "id": "x"}', 'not a valid requester document'],
    ['coverage', 'null', 'not a valid coverage document'],
    ['plays', '{"id": "play_1"}', 'not a valid plays document'],
    ['models', '{"budgetUsd": "lots", "total": {"costUsd": 0}, "byPhase": {}}', 'not a valid models document'],
    ['state', 'flying', 'not a mission state'],
  ])('refuses to load a mission whose %s is %j, naming the mission and the column', async (column, value, problem) => {
    const mission = await seedToPlanning(service, clock);
    await corrupt(mission.id, column, value);

    const error = await refusal(readAfterRestart(mission.id));
    expect(error.code).toBe('stored_data_invalid');
    expect(error.message).toContain(`Mission ${mission.id} cannot be read`);
    expect(error.message).toContain(`"${column}"`);
    expect(error.message).toContain(problem);
    expect(error.details).toMatchObject({ missionId: mission.id, field: column });
  });

  it('refuses a broken document even in the process that saved the mission last (it skips checking only text it saved or read itself)', async () => {
    const mission = await seedToPlanning(service, clock);
    const saved = await storedRow(mission.id);
    // The same repository remembers every document as it saved them: the unchanged ones load as they were.
    expect((await db.missions.get(mission.id))?.brief).toEqual(mission.brief);
    await corrupt(mission.id, 'brief', '{"chips": "none", "editsMade": 0, "lockedAt": null}');
    const error = await refusal(db.missions.get(mission.id));
    expect(error.code).toBe('stored_data_invalid');
    expect(error.message).toContain('not a valid brief document');
    await corrupt(mission.id, 'brief', saved.brief);
    await corrupt(mission.id, 'plays', '{"id": "play_1"}');
    expect((await refusal(db.missions.get(mission.id))).message).toContain('not a valid plays document');
  });

  it('refuses a command on a mission with a broken execution document and writes nothing (a restarted server reading the row)', async () => {
    const executing = await seedToExecuting(service, clock);
    await corrupt(executing.id, 'execution', '{"playId": "p", "phases": [{"phaseId": 7}], "alerts": []}');
    const before = await storedRow(executing.id);
    const eventsBefore = await db.prisma.missionEvent.count({ where: { missionId: executing.id } });

    // A fresh service and connection: this process's memory of the mission would otherwise answer.
    const restarted = await openDatabase(db.url);
    const ids = sequentialIds();
    const fresh = new MissionService({ repository: restarted.missions, clock, ids, drafter: deterministicBriefDrafter, approvalPolicy: SEED_POLICY });
    const error = await refusal(fresh.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT)).finally(() =>
      restarted.close(),
    );
    expect(error.code).toBe('stored_data_invalid');
    expect(error.message).toMatch(
      new RegExp(`^Mission ${executing.id} cannot be read: its stored "execution" is not a valid execution document .*phases\\.0\\.phaseId`),
    );

    expect(await storedRow(executing.id)).toEqual(before);
    expect(await db.prisma.missionEvent.count({ where: { missionId: executing.id } })).toBe(eventsBefore);
  });

  it('refuses to load a mission whose execution summary is broken, naming the field, and writes nothing', async () => {
    const executing = await seedToExecuting(service, clock);
    const stored = JSON.parse((await storedRow(executing.id)).execution!);
    stored.phases[0].history.stepCount = 'many';
    await corrupt(executing.id, 'execution', JSON.stringify(stored));
    const before = await storedRow(executing.id);

    const restarted = await openDatabase(db.url);
    const error = await refusal(restarted.missions.get(executing.id)).finally(() => restarted.close());
    expect(error.code).toBe('stored_data_invalid');
    expect(error.message).toMatch(/not a valid execution document .*phases\.0\.history\.stepCount/);
    expect(await storedRow(executing.id)).toEqual(before);
  });

  it('keeps serving other missions, and lists the broken one only when its summary columns are readable', async () => {
    const broken = await seedToPlanning(service, clock);
    const healthy = await service.startMission({ intent: 'Rotate the staging database credentials before Friday', channelId: 'C1' }, ASSISTANT);
    await corrupt(broken.id, 'requester', 'not json');

    expect((await service.getMission({ missionId: healthy.id })).id).toBe(healthy.id);
    const error = await refusal(service.listMissions({}));
    expect(error.message).toContain(`Mission ${broken.id} cannot be read: its stored "requester" is not valid JSON`);
  });

  it('still loads rows written before the optional documents existed (null columns read as empty)', async () => {
    const planning = await seedToPlanning(service, clock);
    for (const column of ['plays', 'approvals', 'evidence', 'reflection', 'models']) await corrupt(planning.id, column, null);
    const loaded = await readAfterRestart(planning.id);
    expect(loaded.plays).toEqual([]);
    expect(loaded.approval).toBeNull();
    expect(loaded.evidence).toEqual({ artifacts: [], bundle: null });
    expect(loaded.reflection.followUps).toEqual([]);
    // A mission from before model cost was recorded carries none (and accepts a budget later).
    expect(loaded.models).toBeUndefined();
  });
});
