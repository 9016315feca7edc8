// How a mission is stored: test runs one row each (a report writes its run, not the history),
// older documents with runs inline still load, and a save that lost a race writes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { SEED_POLICY, seedToExecuting } from '../support/seedJourney.js';
import { ASSISTANT } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const PHASE = 'jwt_refresh_fix';

describe.each(PROVIDERS)('mission storage on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;

  const serviceOn = (database: Database, suffix = '') => {
    const ids = sequentialIds();
    return new MissionService({
      repository: database.missions,
      clock,
      ids: { next: (p) => `${ids.next(p)}${suffix}` },
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
    });
  };
  const testRun = (missionId: string, passing: number) => ({
    missionId,
    kind: 'test_run' as const,
    phaseId: PHASE,
    total: 130,
    passing,
    coverage: passing / 130,
    suite: 'vitest',
  });
  const runRows = (missionId: string) => db.prisma.missionTestRun.findMany({ where: { missionId }, orderBy: [{ phaseId: 'asc' }, { position: 'asc' }] });
  const storedExecution = async (missionId: string) =>
    (await db.prisma.mission.findUniqueOrThrow({ where: { id: missionId }, select: { execution: true } })).execution!;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock();
    service = serviceOn(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('writes each test run as one row and reads every run back, in order, from another connection', async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    await service.reportProgress(testRun(executing.id, 100), ASSISTANT);
    const documentAfterOne = await storedExecution(executing.id);
    let latest = executing;
    for (let passing = 101; passing <= 130; passing++) {
      clock.advance(1000);
      latest = await service.reportProgress(testRun(executing.id, passing), ASSISTANT);
    }

    const rows = await runRows(executing.id);
    expect(rows.map((r) => r.position)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(rows.map((r) => JSON.parse(r.run).passing)).toEqual(Array.from({ length: 31 }, (_, i) => 100 + i));
    // The document no longer carries the runs: 30 more reports left it as it was.
    expect(await storedExecution(executing.id)).toBe(documentAfterOne);

    const elsewhere = await openDatabase(db.url);
    try {
      const reloaded = await elsewhere.missions.get(executing.id);
      expect(reloaded!.execution).toEqual(latest.execution);
      expect(reloaded!.execution!.phases[0]!.testRuns).toHaveLength(31);
    } finally {
      await elsewhere.close();
    }
    expect(await service.verifyEventLog({ missionId: executing.id })).toMatchObject({ ok: true });
  });

  it("appends each report's run and never rewrites earlier ones, even when readers reload the mission between reports", async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    for (let passing = 100; passing < 105; passing++) await service.reportProgress(testRun(executing.id, passing), ASSISTANT);
    // A mark only a rewrite would erase: the stored first run, changed behind the service's back.
    const first = await db.prisma.missionTestRun.findFirstOrThrow({ where: { missionId: executing.id, position: 0 } });
    await db.prisma.missionTestRun.update({
      where: { missionId_phaseId_position: { missionId: executing.id, phaseId: PHASE, position: 0 } },
      data: { run: JSON.stringify({ ...JSON.parse(first.run), suite: 'marked' }) },
    });
    const reader = await openDatabase(db.url);
    try {
      for (let passing = 105; passing < 115; passing++) {
        clock.advance(1000);
        await service.reportProgress(testRun(executing.id, passing), ASSISTANT);
        // What the trackers and Slack consumers do after every save: read the mission, here in both processes.
        await db.missions.get(executing.id);
        await reader.missions.get(executing.id);
      }
      // A save made by the reading process after the others still appends only its own run.
      await serviceOn(reader, '_b').reportProgress(testRun(executing.id, 115), ASSISTANT);
      await service.reportProgress(testRun(executing.id, 116), ASSISTANT);
    } finally {
      await reader.close();
    }
    const rows = await runRows(executing.id);
    expect(rows.map((r) => r.position)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(rows.map((r) => JSON.parse(r.run).passing)).toEqual(Array.from({ length: 17 }, (_, i) => 100 + i));
    expect(JSON.parse(rows[0]!.run).suite).toBe('marked');
  });

  it('reads a mission another instance changed as that instance saved it, and reports on top of it, although this process remembers an older state', async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    await service.reportProgress(testRun(executing.id, 100), ASSISTANT);
    // Read here once: this process now remembers the mission at this version.
    const before = await service.getMission({ missionId: executing.id });
    const other = await openDatabase(db.url);
    try {
      const theirs = await serviceOn(other, '_b').reportProgress(testRun(executing.id, 110), ASSISTANT);
      const seen = await service.getMission({ missionId: executing.id });
      expect(seen.version).toBe(before.version + 1);
      expect(seen).toEqual(theirs);
      // The other instance reports again; a report here starts from the remembered (now stale)
      // state, loses the version check and is applied on the state the other instance saved.
      const theirsAgain = await serviceOn(other, '_c').reportProgress(testRun(executing.id, 115), ASSISTANT);
      clock.advance(1000);
      const ours = await service.reportProgress(testRun(executing.id, 120), ASSISTANT);
      expect(ours.version).toBe(theirsAgain.version + 1);
      expect(ours.execution!.phases[0]!.testRuns.map((r) => r.passing)).toEqual([100, 110, 115, 120]);
      expect((await other.missions.get(executing.id))!.execution).toEqual(ours.execution);
    } finally {
      await other.close();
    }
    expect((await runRows(executing.id)).map((r) => JSON.parse(r.run).passing)).toEqual([100, 110, 115, 120]);
    expect(await service.verifyEventLog({ missionId: executing.id })).toMatchObject({ ok: true });
  });

  it('serves a mission it saved as a fresh read from another connection returns it, through a whole journey', async () => {
    const executing = await seedToExecuting(service, clock);
    const reader = await openDatabase(db.url);
    try {
      const reports = [
        { missionId: executing.id, kind: 'phase_started' as const, phaseId: PHASE },
        testRun(executing.id, 120),
        {
          missionId: executing.id,
          kind: 'validator_alert' as const,
          phaseId: PHASE,
          type: 'auto_fix' as const,
          severity: 'low' as const,
          description: 'Lint fixed',
        },
        testRun(executing.id, 130),
      ];
      for (const report of reports) {
        clock.advance(1000);
        await service.reportProgress(report, ASSISTANT);
        // Served from memory (the stored version is unchanged) and read in full elsewhere: the same mission.
        expect(await service.getMission({ missionId: executing.id })).toEqual(await reader.missions.get(executing.id));
      }
    } finally {
      await reader.close();
    }
  });

  it('loads a document written with its runs inline, and moves them into rows on the next report', async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    await service.reportProgress(testRun(executing.id, 120), ASSISTANT);
    const withRuns = (await db.missions.get(executing.id))!.execution!;
    // As a version before MissionTestRun stored it: the runs inside the document, no rows.
    await db.prisma.missionTestRun.deleteMany({ where: { missionId: executing.id } });
    await db.prisma.mission.update({ where: { id: executing.id }, data: { execution: JSON.stringify(withRuns) } });

    const fresh = await openDatabase(db.url);
    try {
      const legacy = await fresh.missions.get(executing.id);
      expect(legacy!.execution!.phases[0]!.testRuns.map((r) => r.passing)).toEqual([120]);
      const reported = await serviceOn(fresh, '_b').reportProgress(testRun(executing.id, 125), ASSISTANT);
      expect(reported.execution!.phases[0]!.testRuns.map((r) => r.passing)).toEqual([120, 125]);
    } finally {
      await fresh.close();
    }
    expect((await runRows(executing.id)).map((r) => [r.position, JSON.parse(r.run).passing])).toEqual([
      [0, 120],
      [1, 125],
    ]);
    expect(JSON.parse(await storedExecution(executing.id)).phases[0].testRuns).toEqual([]);
  });

  it('writes nothing for a save that lost the race: no event, no test run, and the mission is as the winner left it', async () => {
    const executing = await seedToExecuting(service, clock);
    const started = await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    const other = await openDatabase(db.url);
    try {
      // Both repositories hold the mission at the same version; the other instance saves first.
      await other.missions.get(executing.id);
      const winner = await serviceOn(other, '_b').reportProgress(testRun(executing.id, 110), ASSISTANT);
      const eventsBefore = await db.prisma.missionEvent.count({ where: { missionId: executing.id } });

      // This instance saves a report built on the version it saw, straight through the repository.
      const stale = { ...started, version: started.version + 1, eventSeq: started.eventSeq + 1, headHash: 'f'.repeat(64) };
      const run = { total: 130, passing: 1, failing: 129, coverage: null, suite: null, at: clock.now().toISOString() };
      const execution = { ...started.execution!, phases: started.execution!.phases.map((p) => (p.phaseId === PHASE ? { ...p, testRuns: [run] } : p)) };
      const event = {
        id: 'evt_stale',
        missionId: executing.id,
        seq: stale.eventSeq,
        type: 'test_suite_run' as const,
        stage: 'execute_observe' as const,
        actor: ASSISTANT,
        occurredAt: clock.now(),
        payload: {},
        prevHash: started.headHash,
        hash: 'f'.repeat(64),
      };
      const error = await refusal(
        db.missions.save({ ...stale, execution }, started.version, [event as never], {
          replaceChildren: false,
          artifacts: [],
          testRuns: [{ phaseId: PHASE, position: 0, run }],
        }),
      );
      expect(error.code).toBe('concurrent_update');

      expect(await db.prisma.missionEvent.count({ where: { missionId: executing.id } })).toBe(eventsBefore);
      expect((await runRows(executing.id)).map((r) => JSON.parse(r.run).passing)).toEqual([110]);
      const now = (await other.missions.get(executing.id))!;
      expect(now.version).toBe(winner.version);
      expect(now.headHash).toBe(winner.headHash);
    } finally {
      await other.close();
    }
  });
});
