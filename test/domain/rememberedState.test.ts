// The service starts each command from the state it saved last; another instance's change
// must still win: a stale memory may cost a retry, never a wrong decision. When the other
// instance's save is announced (PostgreSQL LISTEN/NOTIFY; a fake port here), the memory is dropped
// at once and the next command starts from fresh state, so it costs no failed save either.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { ANYTHING_MAY_HAVE_CHANGED, type MissionChangeListener, type MissionChangeNotice, type MissionChanges } from '../../src/domain/missionChanges.js';
import { MissionService } from '../../src/domain/missionService.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { SEED_POLICY, seedToExecuting, SECURITY_LEAD } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

/** The change notices this instance hears, announced by the test as PostgreSQL would after each commit. */
class AnnouncedChanges implements MissionChanges {
  private readonly listeners = new Set<MissionChangeListener>();
  subscribe(listener: MissionChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  announce(notice: MissionChangeNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}

describe.each(PROVIDERS)('two instances on %s', (provider) => {
  let db: TestDatabase;
  let other: Database;
  let clock: TestClock;
  let here: MissionService;
  let elsewhere: MissionService;
  let changes: AnnouncedChanges;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    other = await openDatabase(db.url);
    clock = new TestClock();
    changes = new AnnouncedChanges();
    here = new MissionService({
      repository: db.missions,
      clock,
      ids: sequentialIds(),
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
      changes,
    });
    const ids = sequentialIds();
    elsewhere = new MissionService({
      repository: other.missions,
      clock,
      ids: { next: (p) => `${ids.next(p)}_b` },
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
    });
  });
  afterEach(async () => {
    await other.close();
    await db.destroy();
  });

  it('refuses an edit this instance would allow, once another instance locked the brief', async () => {
    const mission = await here.startMission({ intent: 'Fix the flaky login test' }, JORDAN);
    await elsewhere.lockBrief({ missionId: mission.id }, JORDAN);
    const error = await refusal(here.editChip({ missionId: mission.id, kind: 'scope', items: ['login tests'] }, JORDAN));
    expect(error.code).toBe('brief_locked');
    expect((await db.missions.get(mission.id))!.state).toBe('preparing');
  });

  it('accepts a report this instance would refuse, once another instance started the phase', async () => {
    const executing = await seedToExecuting(here, clock);
    await elsewhere.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    const reported = await here.reportProgress(
      { missionId: executing.id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'refactor_jwt_ts', durationMs: 1200 },
      ASSISTANT,
    );
    expect(reported.execution!.phases[0]).toMatchObject({ status: 'running', steps: [expect.objectContaining({ stepId: 'refactor_jwt_ts' })] });
    expect(await here.verifyEventLog({ missionId: executing.id })).toMatchObject({ ok: true });
  });

  it('does not decide twice when the other instance already decided', async () => {
    const executing = await seedToExecuting(here, clock);
    expect(executing.approval!.decisions.map((d) => d.approverId)).toEqual([ADVISOR.id, SECURITY_LEAD.id]);
    const again = await refusal(elsewhere.decideApproval({ missionId: executing.id, decision: 'reject', reason: 'late' }, ADVISOR));
    expect(again.code).toBe('already_decided');
  });

  /** A mission in execution whose first phase this instance started (so it remembers it running). */
  async function running(): Promise<string> {
    const executing = await seedToExecuting(here, clock);
    await here.reportProgress({ missionId: executing.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    return executing.id;
  }
  const step = (missionId: string, stepId: string) => ({ missionId, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId, durationMs: 1200 }) as const;

  it('a report after the other instance saved is refused by the version check once and re-applied, when no notice arrived', async () => {
    const missionId = await running();
    await elsewhere.reportProgress(step(missionId, 'refactor_jwt_ts'), ASSISTANT);
    await here.reportProgress(step(missionId, 'add_redis_store'), ASSISTANT);
    expect(here.writerCounts()).toEqual({ staleSaves: 1, droppedOnNotice: 0 });
  });

  it("once the other instance's save is announced, the next report starts from fresh state and its save is not refused", async () => {
    const missionId = await running();
    const saved = await elsewhere.reportProgress(step(missionId, 'refactor_jwt_ts'), ASSISTANT);
    changes.announce({ missionId, version: saved.version });
    expect(here.writerCounts()).toEqual({ staleSaves: 0, droppedOnNotice: 1 });

    const reported = await here.reportProgress(step(missionId, 'add_redis_store'), ASSISTANT);
    expect(here.writerCounts().staleSaves).toBe(0);
    expect(reported.version).toBe(saved.version + 1);
    expect(reported.execution!.phases[0]!.steps.map((s) => s.stepId)).toEqual(['refactor_jwt_ts', 'add_redis_store']);
    expect(await here.verifyEventLog({ missionId })).toMatchObject({ ok: true });
  });

  it('reads at once a mission it drives with the other instance when that one saves, so its next report reads nothing first; one it only read is just dropped', async () => {
    const missionId = await running();
    const saved = await elsewhere.reportProgress(step(missionId, 'refactor_jwt_ts'), ASSISTANT);
    const fullReads = vi.spyOn(db.missions, 'get');
    const versionChecks = vi.spyOn(db.missions, 'currentVersion');
    changes.announce({ missionId, version: saved.version });
    await vi.waitFor(() => expect(fullReads).toHaveBeenCalledTimes(1));

    const reported = await here.reportProgress(step(missionId, 'add_redis_store'), ASSISTANT);
    expect(fullReads).toHaveBeenCalledTimes(1);
    expect(versionChecks).not.toHaveBeenCalled();
    expect(reported.version).toBe(saved.version + 1);
    expect(here.writerCounts()).toEqual({ staleSaves: 0, droppedOnNotice: 1 });

    // Started and changed elsewhere, only read here: dropped on the notice, read again only when needed.
    const theirs = await elsewhere.startMission({ intent: 'Fix the flaky signup test' }, JORDAN);
    await here.getMission({ missionId: theirs.id });
    const edited = await elsewhere.editChip({ missionId: theirs.id, kind: 'scope', items: ['signup tests'] }, JORDAN);
    fullReads.mockClear();
    changes.announce({ missionId: theirs.id, version: edited.version });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fullReads).not.toHaveBeenCalled();
    expect(here.writerCounts().droppedOnNotice).toBe(2);
  });

  it('keeps its memory on the echo of its own save, and drops everything when notices may have been missed', async () => {
    const missionId = await running();
    const mine = await here.getMission({ missionId });
    changes.announce({ missionId, version: mine.version });
    expect(here.writerCounts().droppedOnNotice).toBe(0);

    await elsewhere.reportProgress(step(missionId, 'refactor_jwt_ts'), ASSISTANT);
    changes.announce(ANYTHING_MAY_HAVE_CHANGED);
    expect(here.writerCounts().droppedOnNotice).toBe(1);
    await here.reportProgress(step(missionId, 'add_redis_store'), ASSISTANT);
    expect(here.writerCounts().staleSaves).toBe(0);
  });

  it("a delivery's read is served from memory when it already has the claimed events, and from the database when another instance saved more", async () => {
    const missionId = await running();
    const mine = await here.getMission({ missionId });
    const versionChecks = vi.spyOn(db.missions, 'currentVersion');
    const fullReads = vi.spyOn(db.missions, 'get');
    expect(await here.getMissionSince({ missionId }, mine.eventSeq)).toBe(mine);
    expect(versionChecks).not.toHaveBeenCalled();
    expect(fullReads).not.toHaveBeenCalled();

    const saved = await elsewhere.reportProgress(step(missionId, 'refactor_jwt_ts'), ASSISTANT);
    const delivered = await here.getMissionSince({ missionId }, saved.eventSeq);
    expect(delivered.eventSeq).toBe(saved.eventSeq);
    expect(delivered.execution!.phases[0]!.steps.map((s) => s.stepId)).toEqual(['refactor_jwt_ts']);
  });
});
