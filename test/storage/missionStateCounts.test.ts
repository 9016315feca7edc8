// /metrics' missions by state come from maintained counters (MissionStateCount, kept by
// triggers on the mission row), not from counting missions. These tests hold the counters to
// the truth (a count over the missions) through a whole journey, cancel and complete included,
// after the migration fills them from missions stored before it, and under concurrent saves
// from two Database instances (PostgreSQL), with missions moving between two states in opposite directions.
import { afterEach, describe, expect, it } from 'vitest';
import { GITHUB_CONNECTOR } from '../../src/connectors/github/pullRequestEvidence.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { randomIds } from '../../src/domain/runtime.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrations.js';
import { parseDatabaseUrl } from '../../src/storage/databaseUrl.js';
import { freshDatabaseUrl, openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { reportSeedPhase, SEED_ARTIFACTS, SEED_PHASES, SEED_POLICY, SEED_REVIEW, seedToExecuting, signOffTruths } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The truth the counters must match: a count over the missions themselves. */
async function countedOverMissions(db: Database): Promise<Record<string, number>> {
  const groups = await db.prisma.mission.groupBy({ by: ['state'], _count: { _all: true } });
  return Object.fromEntries(groups.map((g) => [g.state, g._count._all]));
}

async function open(provider: (typeof PROVIDERS)[number]): Promise<TestDatabase> {
  const db = await openTestDatabase(provider);
  cleanups.push(() => db.destroy());
  return db;
}

describe.each(PROVIDERS)('missions by state on %s', (provider) => {
  it('counts every mission once through a journey: started, cancelled, executing, completed', { timeout: 60_000 }, async () => {
    const db = await open(provider);
    const clock = new TestClock();
    const service = new MissionService({
      repository: db.missions,
      clock,
      ids: sequentialIds(),
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
    });
    expect(await db.missions.countByState()).toEqual({});

    const cancelled = await service.startMission({ intent: 'Rotate the staging database credentials', channelId: 'C1' }, JORDAN);
    await service.startMission({ intent: 'Fix the flaky checkout test', channelId: 'C1' }, JORDAN);
    expect(await db.missions.countByState()).toEqual({ defining: 2 });
    await service.cancelMission({ missionId: cancelled.id, reason: 'Done by hand' }, JORDAN);
    expect(await db.missions.countByState()).toEqual({ defining: 1, cancelled: 1 });

    const { id } = await seedToExecuting(service, clock);
    expect(await db.missions.countByState()).toEqual({ defining: 1, cancelled: 1, executing: 1 });
    for (const phase of SEED_PHASES) {
      await reportSeedPhase(service, clock, id, phase);
      await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
    }
    await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
    await service.attachEvidence({ missionId: id, ...SEED_ARTIFACTS[0]!, checks: [{ name: 'ci / test', conclusion: 'success' }] }, GITHUB_CONNECTOR);
    await signOffTruths(service, id);
    const completed = await service.completeMission({ missionId: id }, ASSISTANT);

    const counts = await db.missions.countByState();
    expect(counts).toEqual(await countedOverMissions(db));
    expect(counts).toEqual({ defining: 1, cancelled: 1, [completed.state]: 1 });
  });

  it('the migration fills the counters from the missions stored before it', async () => {
    const { url, cleanup } = freshDatabaseUrl(provider);
    cleanups.push(cleanup);
    let db = await openDatabase(url);
    const service = new MissionService({ repository: db.missions, clock: new TestClock(), ids: sequentialIds(), drafter: deterministicBriefDrafter });
    const first = await service.startMission({ intent: 'Rotate the staging database credentials', channelId: 'C1' }, JORDAN);
    await service.startMission({ intent: 'Fix the flaky checkout test', channelId: 'C1' }, JORDAN);
    await service.startMission({ intent: 'Upgrade the payment SDK', channelId: 'C1' }, JORDAN);
    await service.cancelMission({ missionId: first.id, reason: 'Not needed' }, JORDAN);
    // Back to the database as it was before the migration: no counters, no triggers, the migration not applied.
    const undo =
      provider === 'sqlite'
        ? ['DROP TRIGGER "Mission_state_count_insert"', 'DROP TRIGGER "Mission_state_count_update"', 'DROP TRIGGER "Mission_state_count_delete"']
        : ['DROP FUNCTION "mission_state_counted"() CASCADE', 'DROP FUNCTION "mission_state_inserted"() CASCADE'];
    for (const sql of [
      ...undo,
      'DROP TABLE "MissionStateCount"',
      `DELETE FROM "_prisma_migrations" WHERE migration_name = '20261129040000_mission_state_counts'`,
    ]) {
      await db.prisma.$executeRawUnsafe(sql);
    }
    await db.close();

    expect((await migrate(parseDatabaseUrl(url))).applied).toEqual(['20261129040000_mission_state_counts']);
    db = await openDatabase(url);
    cleanups.push(() => db.close());
    expect(await db.missions.countByState()).toEqual({ defining: 2, cancelled: 1 });
  });

  // PostgreSQL: two Database instances (two pools, as two processes have). SQLite serves one process: one Database, concurrent commands.
  it('stays exact under concurrent saves moving missions both ways', { timeout: 120_000 }, async () => {
    const a = await open(provider);
    const b = provider === 'postgresql' ? await openDatabase(a.url) : a;
    if (b !== a) cleanups.push(() => b.close());
    const serviceOn = (db: Database) =>
      new MissionService({ repository: db.missions, clock: new TestClock(), ids: randomIds, drafter: deterministicBriefDrafter, approvalPolicy: SEED_POLICY });
    const [onA, onB] = [serviceOn(a), serviceOn(b)];
    const start = (service: MissionService, k: number) => service.startMission({ intent: `Fix the flaky checkout test number ${k}`, channelId: 'C1' }, JORDAN);
    const PER_SIDE = 12;
    const [fromA, fromB] = await Promise.all([
      Promise.all(Array.from({ length: PER_SIDE }, (_, k) => start(onA, k))),
      Promise.all(Array.from({ length: PER_SIDE }, (_, k) => start(onB, PER_SIDE + k))),
    ]);
    expect(await a.missions.countByState()).toEqual({ defining: 2 * PER_SIDE });
    // B's missions go to preparing first; then A locks its briefs (defining -> preparing) while B reopens its own
    // (preparing -> defining), and both cancel the other's missions: every counter row is contended from both sides.
    await Promise.all(fromB.map((m) => onB.lockBrief({ missionId: m.id }, JORDAN)));
    await Promise.all([...fromA.map((m) => onA.lockBrief({ missionId: m.id }, JORDAN)), ...fromB.map((m) => onB.reopenBrief({ missionId: m.id }, JORDAN))]);
    expect(await a.missions.countByState()).toEqual({ defining: PER_SIDE, preparing: PER_SIDE });
    await Promise.all([
      ...fromA.slice(0, PER_SIDE / 2).map((m) => onB.cancelMission({ missionId: m.id, reason: 'Superseded' }, JORDAN)),
      ...fromB.slice(0, PER_SIDE / 2).map((m) => onA.cancelMission({ missionId: m.id, reason: 'Superseded' }, JORDAN)),
    ]);
    const counts = await b.missions.countByState();
    expect(counts).toEqual(await countedOverMissions(a));
    expect(counts).toEqual({ defining: PER_SIDE / 2, preparing: PER_SIDE / 2, cancelled: PER_SIDE });
  });
});
