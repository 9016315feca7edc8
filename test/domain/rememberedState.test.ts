// The service starts each command from the state it saved last; another instance's change
// must still win: a stale memory may cost a retry, never a wrong decision.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { refusal } from '../support/refusal.js';
import { SEED_POLICY, seedToExecuting, SECURITY_LEAD, seedService } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

describe.each(PROVIDERS)('two instances on %s', (provider) => {
  let db: TestDatabase;
  let other: Database;
  let clock: TestClock;
  let here: MissionService;
  let elsewhere: MissionService;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    other = await openDatabase(db.url);
    clock = new TestClock();
    here = seedService(db.missions, clock);
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
});
