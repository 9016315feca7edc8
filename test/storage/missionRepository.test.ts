// How a mission is stored: test runs and steps one row each (a report writes its row, not the
// history), loading reads each phase's latest entries and summaries only, older documents with
// history inline still load and move into rows on their next save, and a save that lost a race
// writes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { withWholeHistory } from '../../src/domain/missionHistory.js';
import { MissionService } from '../../src/domain/missionService.js';
import { alertCounts, deviationCount, RECENT_HISTORY, type Execution } from '../../src/domain/execution.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { SEED_POLICY, seedToExecuting } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
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
  const step = (missionId: string, stepId: string, testsAdded: number) => ({
    missionId,
    kind: 'step_completed' as const,
    phaseId: PHASE,
    stepId,
    durationMs: 1000,
    counts: { tests_added: testsAdded },
  });
  const firstStepId = (mission: { plays: Array<{ status: string; phases: Array<{ id: string; steps: Array<{ id: string }> }> }> }) =>
    mission.plays.find((p) => p.status === 'approved')!.phases.find((p) => p.id === PHASE)!.steps[0]!.id;
  const stepRows = (missionId: string) => db.prisma.missionStep.findMany({ where: { missionId }, orderBy: [{ phaseId: 'asc' }, { position: 'asc' }] });
  /** The execution as a version before steps had rows stored it: no summaries, steps (and runs, when given) inline. */
  const legacyDocument = (execution: Execution, inline: { steps: unknown[]; testRuns: unknown[] }) =>
    JSON.stringify({
      ...execution,
      phases: execution.phases.map(({ history: _history, ...phase }) =>
        phase.phaseId === PHASE ? { ...phase, steps: inline.steps, testRuns: inline.testRuns } : { ...phase, steps: [], testRuns: [] },
      ),
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
    let latest = executing;
    for (let passing = 101; passing <= 130; passing++) {
      clock.advance(1000);
      latest = await service.reportProgress(testRun(executing.id, passing), ASSISTANT);
    }

    const rows = await runRows(executing.id);
    expect(rows.map((r) => r.position)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(rows.map((r) => JSON.parse(r.run).passing)).toEqual(Array.from({ length: 31 }, (_, i) => 100 + i));
    // The document keeps the latest runs and the summary only.
    const stored = JSON.parse(await storedExecution(executing.id)).phases[0];
    expect(stored.testRuns.map((r: { passing: number }) => r.passing)).toEqual(Array.from({ length: RECENT_HISTORY }, (_, i) => 111 + i));
    expect(stored.history).toMatchObject({ testRunCount: 31, latestCoveredRun: { passing: 130 } });

    const elsewhere = await openDatabase(db.url);
    try {
      const reloaded = await elsewhere.missions.get(executing.id);
      expect(reloaded!.execution).toEqual(latest.execution);
      expect(reloaded!.execution!.phases[0]!.testRuns).toHaveLength(RECENT_HISTORY);
      expect(reloaded!.execution!.phases[0]!.history!.testRunCount).toBe(31);
      const all = await elsewhere.missions.testRunPage(executing.id, PHASE, 0, 100);
      expect(all.map((r) => r.passing)).toEqual(Array.from({ length: 31 }, (_, i) => 100 + i));
    } finally {
      await elsewhere.close();
    }
    expect(await service.verifyEventLog({ missionId: executing.id })).toMatchObject({ ok: true });
  });

  it("appends each report's run and step and never rewrites earlier ones, even when readers reload the mission between reports", async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    await service.reportProgress(step(executing.id, firstStepId(executing), 1), ASSISTANT);
    for (let passing = 100; passing < 105; passing++) await service.reportProgress(testRun(executing.id, passing), ASSISTANT);
    await db.prisma.missionStep.update({
      where: { missionId_phaseId_position: { missionId: executing.id, phaseId: PHASE, position: 0 } },
      data: { step: JSON.stringify({ ...(await db.missions.stepPage(executing.id, PHASE, 0, 1))[0], title: 'marked' }) },
    });
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
        await service.reportProgress(step(executing.id, firstStepId(executing), passing), ASSISTANT);
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
    const steps = await stepRows(executing.id);
    expect(steps.map((r) => r.position)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(JSON.parse(steps[0]!.step).title).toBe('marked');
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

  it('writes each step as one row, loads only the latest steps and runs with summaries, and pages the rest from rows', async () => {
    const executing = await seedToExecuting(service, clock);
    const stepId = firstStepId(executing);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    const total = RECENT_HISTORY + 5;
    for (let i = 0; i < total; i++) {
      clock.advance(1000);
      await service.reportProgress(step(executing.id, stepId, i), ASSISTANT);
      await service.reportProgress(testRun(executing.id, 100 + i), ASSISTANT);
    }
    expect((await stepRows(executing.id)).map((r) => [r.position, JSON.parse(r.step).counts.tests_added])).toEqual(
      Array.from({ length: total }, (_, i) => [i, i]),
    );

    const elsewhere = await openDatabase(db.url);
    try {
      const phase = (await elsewhere.missions.get(executing.id))!.execution!.phases[0]!;
      expect(phase.steps.map((s) => s.counts.tests_added)).toEqual(Array.from({ length: RECENT_HISTORY }, (_, i) => 5 + i));
      expect(phase.testRuns.map((r) => r.passing)).toEqual(Array.from({ length: RECENT_HISTORY }, (_, i) => 105 + i));
      expect(phase.history).toMatchObject({
        stepCount: total,
        testRunCount: total,
        countTotals: { tests_added: (total * (total - 1)) / 2 },
        extraStepCount: 0,
      });
      expect(phase.history!.plannedStepReports.map((s) => s.counts.tests_added)).toEqual([total - 1]);
      const pages = [await elsewhere.missions.stepPage(executing.id, PHASE, 0, 10), await elsewhere.missions.stepPage(executing.id, PHASE, 10, 100)];
      expect(pages.map((p) => p.length)).toEqual([10, total - 10]);
      expect(pages.flat().map((s) => s.counts.tests_added)).toEqual(Array.from({ length: total }, (_, i) => i));
    } finally {
      await elsewhere.close();
    }
    const summary = await service.exportDocument({ missionId: executing.id, document: 'summary' });
    expect(summary.markdown).toContain(`steps_completed: ${total}`);
  });

  it('keeps the latest deviations and their count in the document, and SUMMARY.md lists every one from the log', async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    const total = RECENT_HISTORY + 5;
    for (let i = 0; i < total; i++) {
      clock.advance(1000);
      await service.reportProgress(
        { missionId: executing.id, kind: 'deviation', phaseId: PHASE, rule: 1, description: `Fix number ${i}`, reason: 'found on the way' },
        ASSISTANT,
      );
    }
    const elsewhere = await openDatabase(db.url);
    try {
      const mission = (await elsewhere.missions.get(executing.id))!;
      const execution = mission.execution!;
      expect(execution.deviations.map((d) => d.description)).toEqual(Array.from({ length: RECENT_HISTORY }, (_, i) => `Fix number ${i + 5}`));
      expect(deviationCount(execution)).toBe(total);
      // Rebuilt from the log, the deviations still in the document are exactly as it holds them.
      const whole = (await withWholeHistory(elsewhere.missions, mission)).execution!.deviations;
      expect(whole).toHaveLength(total);
      expect(whole.slice(-RECENT_HISTORY)).toEqual(execution.deviations);
    } finally {
      await elsewhere.close();
    }
    const summary = (await service.exportDocument({ missionId: executing.id, document: 'summary' })).markdown;
    expect(summary).toContain(`deviations: ${total}`);
    for (let i = 0; i < total; i++) expect(summary).toContain(`Fix number ${i}\n`);
  });

  it('keeps open alerts and the latest closed ones in the document; SUMMARY.md and VERIFICATION.md list every alert from the log', async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    const alert = (description: string, type: 'auto_fix' | 'review_required') =>
      service.reportProgress({ missionId: executing.id, kind: 'validator_alert', phaseId: PHASE, type, severity: 'low', description }, ASSISTANT);
    const blockedId = (await alert('Blocked long ago', 'review_required')).execution!.alerts.at(-1)!.id;
    await service.resolveAlert({ missionId: executing.id, alertId: blockedId, outcome: 'blocked', note: 'not this way' }, JORDAN);
    const total = RECENT_HISTORY + 5;
    for (let i = 0; i < total; i++) {
      clock.advance(1000);
      await alert(`Lint fix ${i}`, 'auto_fix');
    }
    const elsewhere = await openDatabase(db.url);
    try {
      const mission = (await elsewhere.missions.get(executing.id))!;
      const execution = mission.execution!;
      expect(execution.alerts.map((a) => a.description)).toEqual(Array.from({ length: RECENT_HISTORY }, (_, i) => `Lint fix ${i + 5}`));
      expect(alertCounts(execution)).toMatchObject({ raised: total + 1, byStatus: { applied: total, blocked: 1, open: 0 } });
      // Rebuilt from the log, the alerts still in the document are exactly as it holds them, decisions included.
      const whole = (await withWholeHistory(elsewhere.missions, mission)).execution!.alerts;
      expect(whole).toHaveLength(total + 1);
      expect(whole[0]).toMatchObject({ id: blockedId, status: 'blocked', resolution: { by: JORDAN, outcome: 'blocked', note: 'not this way' } });
      expect(whole.slice(-RECENT_HISTORY)).toEqual(execution.alerts);
    } finally {
      await elsewhere.close();
    }
    const summary = (await service.exportDocument({ missionId: executing.id, document: 'summary' })).markdown;
    for (let i = 0; i < total; i++) expect(summary).toContain(`Lint fix ${i} `);
    const verification = (await service.exportDocument({ missionId: executing.id, document: 'verification' })).markdown;
    expect(verification).toContain('was BLOCKED by');
  });

  it('loads a document from before alerts had counts, counting its list, and counts on from there', async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    const raise = (s: MissionService) =>
      s.reportProgress(
        { missionId: executing.id, kind: 'validator_alert', phaseId: PHASE, type: 'auto_fix', severity: 'medium', description: 'Formatted' },
        ASSISTANT,
      );
    await raise(service);
    await raise(service);
    const { alertTotals: _totals, ...older } = JSON.parse(await storedExecution(executing.id)) as Execution;
    expect(_totals?.raised).toBe(2);
    await db.prisma.mission.update({ where: { id: executing.id }, data: { execution: JSON.stringify(older) } });
    const fresh = await openDatabase(db.url);
    try {
      const loaded = (await fresh.missions.get(executing.id))!.execution!;
      expect(loaded.alertTotals).toBeUndefined();
      expect(alertCounts(loaded)).toMatchObject({ raised: 2, byType: { auto_fix: 2 }, bySeverity: { medium: 2 } });
      expect(alertCounts((await raise(serviceOn(fresh, '_b'))).execution!).raised).toBe(3);
    } finally {
      await fresh.close();
    }
    expect(JSON.parse(await storedExecution(executing.id)).alertTotals).toMatchObject({ raised: 3, byStatus: { applied: 3 } });
  });

  it('loads a document from before deviations had a count, counting its list, and counts on from there', async () => {
    const executing = await seedToExecuting(service, clock);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    for (const n of [1, 2])
      await service.reportProgress(
        { missionId: executing.id, kind: 'deviation', phaseId: PHASE, rule: 2, description: `Piece ${n}`, reason: 'missing' },
        ASSISTANT,
      );
    const { deviationTotal: _total, ...older } = JSON.parse(await storedExecution(executing.id)) as Execution;
    expect(_total).toBe(2);
    await db.prisma.mission.update({ where: { id: executing.id }, data: { execution: JSON.stringify(older) } });

    const fresh = await openDatabase(db.url);
    try {
      const loaded = (await fresh.missions.get(executing.id))!.execution!;
      expect(loaded.deviationTotal).toBeUndefined();
      expect(deviationCount(loaded)).toBe(2);
      const reported = await serviceOn(fresh, '_b').reportProgress(
        { missionId: executing.id, kind: 'deviation', phaseId: PHASE, rule: 2, description: 'Piece 3', reason: 'missing' },
        ASSISTANT,
      );
      expect(deviationCount(reported.execution!)).toBe(3);
    } finally {
      await fresh.close();
    }
    expect(JSON.parse(await storedExecution(executing.id)).deviationTotal).toBe(3);
  });

  it('loads a document written with its steps and runs inline, and moves them into rows on the next report', async () => {
    const executing = await seedToExecuting(service, clock);
    const stepId = firstStepId(executing);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    await service.reportProgress(step(executing.id, stepId, 3), ASSISTANT);
    await service.reportProgress(step(executing.id, stepId, 4), ASSISTANT);
    await service.reportProgress(testRun(executing.id, 120), ASSISTANT);
    const current = (await db.missions.get(executing.id))!.execution!;
    const inline = { steps: await db.missions.stepPage(executing.id, PHASE, 0, 10), testRuns: await db.missions.testRunPage(executing.id, PHASE, 0, 10) };
    // As a version before MissionTestRun and MissionStep stored it: everything inside the document, no rows.
    await db.prisma.missionTestRun.deleteMany({ where: { missionId: executing.id } });
    await db.prisma.missionStep.deleteMany({ where: { missionId: executing.id } });
    await db.prisma.mission.update({ where: { id: executing.id }, data: { execution: legacyDocument(current, inline) } });

    const fresh = await openDatabase(db.url);
    try {
      const legacy = (await fresh.missions.get(executing.id))!.execution!.phases[0]!;
      expect(legacy.testRuns.map((r) => r.passing)).toEqual([120]);
      expect(legacy.history).toMatchObject({ stepCount: 2, testRunCount: 1, countTotals: { tests_added: 7 } });
      const reported = await serviceOn(fresh, '_b').reportProgress(step(executing.id, stepId, 5), ASSISTANT);
      expect(reported.execution!.phases[0]!.steps.map((s) => s.counts.tests_added)).toEqual([3, 4, 5]);
      expect(reported.execution!.phases[0]!.history!.stepCount).toBe(3);
    } finally {
      await fresh.close();
    }
    expect((await stepRows(executing.id)).map((r) => [r.position, JSON.parse(r.step).counts.tests_added])).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect((await runRows(executing.id)).map((r) => [r.position, JSON.parse(r.run).passing])).toEqual([[0, 120]]);
    expect(JSON.parse(await storedExecution(executing.id)).phases[0].history).toMatchObject({ stepCount: 3, testRunCount: 1 });
    // The next report appends after them.
    await service.reportProgress(testRun(executing.id, 125), ASSISTANT);
    expect((await runRows(executing.id)).map((r) => [r.position, JSON.parse(r.run).passing])).toEqual([
      [0, 120],
      [1, 125],
    ]);
  });

  it('upgrades a document whose runs had rows but whose steps were inline, when the process saving it never loaded it', async () => {
    const executing = await seedToExecuting(service, clock);
    const stepId = firstStepId(executing);
    await service.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
    await service.reportProgress(step(executing.id, stepId, 1), ASSISTANT);
    await service.reportProgress(testRun(executing.id, 110), ASSISTANT);
    await service.reportProgress(testRun(executing.id, 111), ASSISTANT);
    const current = (await db.missions.get(executing.id))!.execution!;
    const steps = await db.missions.stepPage(executing.id, PHASE, 0, 10);
    await db.prisma.missionStep.deleteMany({ where: { missionId: executing.id } });
    await db.prisma.mission.update({ where: { id: executing.id }, data: { execution: legacyDocument(current, { steps, testRuns: [] }) } });

    // One process loads it; another, which never did, saves a run appended to what the first loaded.
    const loader = await openDatabase(db.url);
    const saver = await openDatabase(db.url);
    try {
      const loaded = (await loader.missions.get(executing.id))!;
      expect(loaded.execution!.phases[0]!.history).toMatchObject({ stepCount: 1, testRunCount: 2 });
      const run = { total: 130, passing: 112, failing: 18, coverage: null, suite: null, at: clock.now().toISOString() };
      const phases = loaded.execution!.phases.map((p) =>
        p.phaseId === PHASE ? { ...p, testRuns: [...p.testRuns, run], history: { ...p.history!, testRunCount: 3 } } : p,
      );
      const saved = { ...loaded, version: loaded.version + 1, eventSeq: loaded.eventSeq + 1, execution: { ...loaded.execution!, phases } };
      const event = {
        id: 'evt_upgrade',
        missionId: executing.id,
        seq: saved.eventSeq,
        type: 'test_suite_run' as const,
        stage: 'execute_observe' as const,
        actor: ASSISTANT,
        occurredAt: clock.now(),
        payload: {},
        prevHash: loaded.headHash,
        hash: loaded.headHash,
      };
      await saver.missions.save(saved, loaded.version, [event as never], { replaceChildren: false, testRuns: [{ phaseId: PHASE, position: 2, run }] });
    } finally {
      await loader.close();
      await saver.close();
    }
    expect((await runRows(executing.id)).map((r) => [r.position, JSON.parse(r.run).passing])).toEqual([
      [0, 110],
      [1, 111],
      [2, 112],
    ]);
    expect((await stepRows(executing.id)).map((r) => [r.position, JSON.parse(r.step).counts.tests_added])).toEqual([[0, 1]]);
    expect(JSON.parse(await storedExecution(executing.id)).phases[0].history).toMatchObject({ stepCount: 1, testRunCount: 3 });
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
          steps: [{ phaseId: PHASE, position: 0, step: { stepId: 'x', title: 'x', inPlan: false, durationMs: 1, counts: {}, commit: null, at: run.at } }],
        }),
      );
      expect(error.code).toBe('concurrent_update');

      expect(await db.prisma.missionEvent.count({ where: { missionId: executing.id } })).toBe(eventsBefore);
      expect((await runRows(executing.id)).map((r) => JSON.parse(r.run).passing)).toEqual([110]);
      expect(await stepRows(executing.id)).toEqual([]);
      const now = (await other.missions.get(executing.id))!;
      expect(now.version).toBe(winner.version);
      expect(now.headHash).toBe(winner.headHash);
    } finally {
      await other.close();
    }
  });
});
