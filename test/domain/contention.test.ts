// Several service instances on one database (as several server processes would be) report on
// one mission at once: every valid report is accepted and stored exactly once; none is refused
// "The mission changed… Try again" because other writers kept winning.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { randomIds, systemClock } from '../../src/domain/runtime.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { SEED_POLICY, seedToExecuting } from '../support/seedJourney.js';
import { ASSISTANT } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';

const INSTANCES = 4;
const REPORTS_PER_INSTANCE = 40;

// Several processes share PostgreSQL; SQLite serves one process (its single writer lock is another matter).
describe.runIf(PROVIDERS.includes('postgresql'))('contention on postgresql', () => {
  const provider = 'postgresql' as const;
  let db: TestDatabase;
  const others: Database[] = [];
  beforeEach(async () => {
    db = await openTestDatabase(provider);
  });
  afterEach(async () => {
    for (const other of others.splice(0)) await other.close();
    await db.destroy();
  });

  it(`accepts every one of ${INSTANCES * REPORTS_PER_INSTANCE} concurrent reports on one mission from ${INSTANCES} instances`, {
    timeout: 120_000,
  }, async () => {
    const seeding = new MissionService({
      repository: db.missions,
      clock: new TestClock(new Date().toISOString()),
      ids: randomIds,
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
    });
    const mission = await seedToExecuting(seeding, new TestClock(new Date().toISOString()));
    const phaseId = mission.execution!.phases[0]!.phaseId;
    await seeding.reportProgress({ missionId: mission.id, kind: 'phase_started', phaseId }, ASSISTANT);

    const instances: MissionService[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const own = await openDatabase(db.url);
      others.push(own);
      instances.push(
        new MissionService({ repository: own.missions, clock: systemClock, ids: randomIds, drafter: deterministicBriefDrafter, approvalPolicy: SEED_POLICY }),
      );
    }
    const results = await Promise.allSettled(
      instances.flatMap((service, i) =>
        Array.from({ length: REPORTS_PER_INSTANCE }, (_, n) =>
          service.reportProgress(
            { missionId: mission.id, kind: 'test_run', phaseId, total: 100 + i * REPORTS_PER_INSTANCE + n, passing: 90, suite: `instance-${i}` },
            ASSISTANT,
          ),
        ),
      ),
    );
    const refused = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(refused).toEqual([]);
    // Every run, from its row (the mission itself keeps only the latest), and the count the mission keeps.
    const stored = (await db.missions.testRunPage(mission.id, phaseId, 0, 1000)).map((t) => t.total).sort((a, b) => a - b);
    expect(stored).toEqual(Array.from({ length: INSTANCES * REPORTS_PER_INSTANCE }, (_, k) => 100 + k));
    expect((await db.missions.get(mission.id))!.execution!.phases[0]!.history!.testRunCount).toBe(INSTANCES * REPORTS_PER_INSTANCE);
  });
});
