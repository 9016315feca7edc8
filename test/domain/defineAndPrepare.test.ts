import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissionService } from '../../src/domain/missionService.js';
import { randomIds } from '../../src/domain/runtime.js';
import type { ToolkitAuthChecker, ToolkitInspector } from '../../src/domain/toolkitInspection.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { refusal, untyped } from '../support/refusal.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

describe.each(PROVIDERS)('Define and Prepare on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;
  let authChecker: ToolkitAuthChecker;
  let inspectors: ToolkitInspector[];

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock();
    authChecker = { authStatus: async (id) => (id === 'github' ? 'ready' : id === 'linear' ? 'needs_auth' : 'unknown') };
    inspectors = [];
    service = new MissionService({ repository: db.missions, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter, authChecker, inspectors });
  });
  afterEach(async () => {
    await db.destroy();
  });

  /** The mission row and its log, straight from storage, to prove a refusal wrote nothing. */
  async function snapshot(missionId: string) {
    const mission = await db.missions.get(missionId);
    const events = await db.missions.events(missionId);
    return { version: mission?.version, state: mission?.state, brief: mission?.brief, events: events.length };
  }

  async function eventTypes(missionId: string): Promise<string[]> {
    return (await db.missions.events(missionId)).map((e) => e.type);
  }

  it('drafts the seed brief from the intent and records who asked', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT, channelId: 'C0MISSIONS' }, JORDAN);
    expect(mission.state).toBe('defining');
    expect(mission.brief.chips.map((c) => c.kind)).toEqual(['objective', 'scope', 'acceptance_criteria', 'kpis', 'safeguards', 'timeline']);
    expect(mission.title).toMatch(/^Refactor authentication system/);
    expect(mission.tags).toEqual(expect.arrayContaining(['authentication', 'security', 'csrf']));

    const events = await db.missions.events(mission.id);
    expect(events.map((e) => e.type)).toEqual(['intent_submitted', 'brief_generated']);
    expect(events[0]!.actor).toEqual(JORDAN);
    expect(events[0]!.stage).toBe('define');
    expect(events[0]!.payload).toMatchObject({ safeguard_presence: true, channel_id: 'C0MISSIONS' });
    expect(events[1]!.payload).toMatchObject({ chips_generated: 6, domain: 'software_engineering' });

    const reloaded = await service.getMission({ missionId: mission.id });
    expect(reloaded).toEqual(mission);
  });

  it("takes an assistant's chips over the drafted ones, marked as from the assistant", async () => {
    const mission = await service.startMission(
      { intent: SEED_INTENT, chips: [{ kind: 'objective', items: ['Harden auth before the customer demo'], confidence: 'high' }] },
      ASSISTANT,
    );
    expect(mission.brief.chips.find((c) => c.kind === 'objective')).toEqual({
      kind: 'objective',
      items: ['Harden auth before the customer demo'],
      confidence: 'high',
      source: 'assistant',
    });
    expect(mission.title).toBe('Harden auth before the customer demo');
    expect(mission.brief.chips.find((c) => c.kind === 'scope')?.source).toBe('drafted');
  });

  it.each([
    [{ intent: '' }, 'intent'],
    [{ intent: '   ' }, 'intent'],
    [{}, 'intent'],
    [{ intent: 'x'.repeat(20_001) }, 'intent'],
    [{ intent: 'Fix the login bug', chips: [{ kind: 'mood', items: ['happy'] }] }, 'chips[0].kind'],
    [{ intent: 'Fix the login bug', chips: [{ kind: 'kpis', items: [] }] }, 'chips[0].items'],
  ])('refuses a bad start %# naming the field, and stores nothing', async (input, field) => {
    const error = await refusal(service.startMission(untyped(input), JORDAN));
    expect(error.code).toBe('invalid_input');
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(field.split('[')[0]!);
    expect((await service.listMissions({})).missions).toEqual([]);
  });

  it('refuses a request with no actor', async () => {
    const error = await refusal(service.startMission({ intent: 'Fix the login bug' }, { kind: 'robot', id: 'x' } as never));
    expect(error).toMatchObject({ code: 'invalid_input', details: { field: 'actor' } });
    expect((await service.listMissions({})).missions).toEqual([]);
  });

  it("records the seed's three edits and locks with edits_made 3", async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    const kpis = mission.brief.chips.find((c) => c.kind === 'kpis')!;
    const safeguards = mission.brief.chips.find((c) => c.kind === 'safeguards')!;

    const editedKpis = kpis.items.map((k) => k.replace(/85%/, '90%'));
    await service.editChip({ missionId: mission.id, kind: 'kpis', items: editedKpis }, JORDAN);
    await service.editChip(
      { missionId: mission.id, kind: 'safeguards', items: [...safeguards.items, 'No direct database schema changes without migration review'] },
      JORDAN,
    );
    const edited = await service.editChip(
      { missionId: mission.id, kind: 'timeline', items: ['Complete core implementation in 6 hours, reserve 2 hours for deployment validation'] },
      JORDAN,
    );
    expect(edited.brief.editsMade).toBe(3);
    expect(edited.brief.chips.find((c) => c.kind === 'timeline')).toMatchObject({ source: 'edited', confidence: 'high' });

    const events = await db.missions.events(mission.id);
    const modified = events.filter((e) => e.type === 'chip_modified').map((e) => e.payload);
    expect(modified).toEqual([
      { chip_type: 'kpis', action: 'edit', before: kpis.items, after: editedKpis, source: 'edited' },
      expect.objectContaining({
        chip_type: 'safeguards',
        action: 'edit',
        after: expect.arrayContaining(['No direct database schema changes without migration review']),
      }),
      expect.objectContaining({ chip_type: 'timeline', action: 'edit' }),
    ]);

    const locked = await service.lockBrief({ missionId: mission.id }, JORDAN);
    expect(locked.state).toBe('preparing');
    expect(locked.brief.lockedAt).toBe(clock.now().toISOString());
    const lockEvent = (await db.missions.events(mission.id)).find((e) => e.type === 'mission_brief_locked')!;
    expect(lockEvent.payload).toMatchObject({ final_chip_count: 6, edits_made: 3, technical_complexity: 'high' });
  });

  it('removes and regenerates a chip', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    const timeline = mission.brief.chips.find((c) => c.kind === 'timeline')!;
    const removed = await service.removeChip({ missionId: mission.id, kind: 'timeline' }, JORDAN);
    expect(removed.brief.chips.some((c) => c.kind === 'timeline')).toBe(false);
    const regenerated = await service.regenerateChip({ missionId: mission.id, kind: 'timeline' }, JORDAN);
    expect(regenerated.brief.chips.find((c) => c.kind === 'timeline')).toEqual(timeline);
    expect(await eventTypes(mission.id)).toEqual(['intent_submitted', 'brief_generated', 'chip_modified', 'chip_regenerated']);
  });

  it('refuses bad edits naming the field, and writes nothing', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    const before = await snapshot(mission.id);
    for (const [input, field] of [
      [{ missionId: mission.id, kind: 'kpis', items: [] }, 'items'],
      [{ missionId: mission.id, kind: 'kpis', items: ['   '] }, 'items'],
      [{ missionId: mission.id, kind: 'vibes', items: ['x'] }, 'kind'],
      [{ missionId: mission.id, kind: 'kpis', items: ['x'.repeat(501)] }, 'items[0]'],
      [{ kind: 'kpis', items: ['x'] }, 'missionId'],
    ] as const) {
      const error = await refusal(service.editChip(untyped(input), JORDAN));
      expect(error.code).toBe('invalid_input');
      expect(error.details.field).toBe(field);
    }
    const unknown = await refusal(service.editChip({ missionId: 'msn_nope', kind: 'kpis', items: ['x'] }, JORDAN));
    expect(unknown).toMatchObject({ code: 'mission_not_found', details: { field: 'missionId' } });
    expect(await snapshot(mission.id)).toEqual(before);
  });

  it('refuses to lock a brief without an objective, and writes nothing', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.removeChip({ missionId: mission.id, kind: 'objective' }, JORDAN);
    const before = await snapshot(mission.id);
    const error = await refusal(service.lockBrief({ missionId: mission.id }, JORDAN));
    expect(error).toMatchObject({ code: 'precondition_failed', details: { field: 'objective' } });
    expect(await snapshot(mission.id)).toEqual(before);
  });

  it('refuses chip edits once the brief is locked, until it is reopened', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    const before = await snapshot(mission.id);
    const error = await refusal(service.editChip({ missionId: mission.id, kind: 'kpis', items: ['Coverage ≥ 95%'] }, JORDAN));
    expect(error).toMatchObject({ code: 'brief_locked', details: { state: 'preparing', allowed: ['reopen_brief'] } });
    expect(await refusal(service.lockBrief({ missionId: mission.id }, JORDAN))).toMatchObject({ code: 'brief_locked' });
    expect(await snapshot(mission.id)).toEqual(before);

    const reopened = await service.reopenBrief({ missionId: mission.id }, JORDAN);
    expect(reopened.state).toBe('defining');
    expect(reopened.brief.lockedAt).toBeNull();
    const edited = await service.editChip({ missionId: mission.id, kind: 'kpis', items: ['Coverage ≥ 95%'] }, JORDAN);
    expect(edited.brief.chips.find((c) => c.kind === 'kpis')!.items).toEqual(['Coverage ≥ 95%']);
  });

  it('refuses moves the state machine does not allow, naming the state, and writes nothing', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    let before = await snapshot(mission.id);
    const early = await refusal(service.confirmToolkits({ missionId: mission.id }, JORDAN));
    expect(early).toMatchObject({ code: 'transition_refused', details: { state: 'defining' } });
    expect(early.message).toContain('defining');
    expect(await refusal(service.selectToolkits({ missionId: mission.id, toolkits: [{ toolkitId: 'github' }] }, JORDAN))).toMatchObject({
      code: 'transition_refused',
    });
    expect(await refusal(service.reopenBrief({ missionId: mission.id }, JORDAN))).toMatchObject({
      code: 'transition_refused',
      details: { state: 'defining', allowed: ['lock_brief', 'cancel'] },
    });
    expect(await snapshot(mission.id)).toEqual(before);

    const cancelled = await service.cancelMission({ missionId: mission.id, reason: 'Demo moved, not needed' }, JORDAN);
    expect(cancelled.state).toBe('cancelled');
    before = await snapshot(mission.id);
    const late = await refusal(service.cancelMission({ missionId: mission.id, reason: 'again' }, JORDAN));
    expect(late).toMatchObject({ code: 'transition_refused', details: { state: 'cancelled', allowed: [] } });
    expect(await snapshot(mission.id)).toEqual(before);
    expect((await db.missions.events(mission.id)).slice(-2).map((e) => [e.type, e.payload])).toEqual([
      ['mission_cancelled', { reason: 'Demo moved, not needed', from_state: 'defining' }],
      ['mission_stage_transition', { from_state: 'defining', to_state: 'cancelled', from_stage: 'define', to_stage: 'closed', action: 'cancel' }],
    ]);
  });

  it('recommends toolkits with precedent counts from past missions on the same topics', async () => {
    // Three earlier auth missions chose GitHub (two also Linear); an unrelated docs mission chose Slack.
    for (const toolkits of [['github', 'linear'], ['github', 'linear'], ['github']]) {
      const past = await service.startMission({ intent: 'Fix the JWT refresh race in the auth middleware. All tests must pass.' }, JORDAN);
      await service.lockBrief({ missionId: past.id }, JORDAN);
      await service.selectToolkits({ missionId: past.id, toolkits: toolkits.map((toolkitId) => ({ toolkitId })) }, JORDAN);
    }
    const docs = await service.startMission({ intent: 'Update the README install section for the new CLI' }, JORDAN);
    await service.lockBrief({ missionId: docs.id }, JORDAN);
    await service.selectToolkits({ missionId: docs.id, toolkits: [{ toolkitId: 'slack' }] }, JORDAN);

    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    const locked = await service.lockBrief({ missionId: mission.id }, JORDAN);
    const byId = Object.fromEntries(locked.toolkits.map((t) => [t.toolkitId, t]));
    expect(byId.github).toMatchObject({ recommended: true, selected: false, precedentCount: 3, authStatus: 'ready' });
    expect(byId.linear).toMatchObject({ precedentCount: 2, authStatus: 'needs_auth' });
    expect(byId.slack).toMatchObject({ precedentCount: 0, authStatus: 'unknown' });
    expect(byId.github!.rationale).toContain('3 similar past missions used it');
    expect(locked.toolkits[0]!.toolkitId).toBe('github');

    const recommended = (await db.missions.events(mission.id)).filter((e) => e.type === 'toolkit_recommended').map((e) => e.payload);
    expect(recommended).toHaveLength(3);
    expect(recommended[0]).toMatchObject({ toolkit_id: 'github', precedent_count: 3, auth_status: 'ready' });
  });

  it('selects toolkits, records coverage and confirms once coverage reaches 85%', async () => {
    inspectors.push({
      toolkitId: 'github',
      inspect: async () => ({
        status: 'ready',
        summary: 'jordan-nakamura/legaltech-mvp: 23 auth files, 127 tests',
        metrics: { files_analyzed: 23, test_count: 127, coverage: 0.82 },
      }),
    });
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    const selected = await service.selectToolkits({ missionId: mission.id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear', defer: true }] }, JORDAN);
    expect(selected.toolkits.filter((t) => t.selected).map((t) => [t.toolkitId, t.authStatus])).toEqual([
      ['github', 'ready'],
      ['linear', 'deferred'],
    ]);

    const refused = await refusal(service.confirmToolkits({ missionId: mission.id }, JORDAN));
    expect(refused).toMatchObject({ code: 'precondition_failed', details: { field: 'override', coverage: 0 } });
    expect(refused.message).toContain('below the 85%');

    const inspected = await service.inspectCoverage({ missionId: mission.id }, JORDAN);
    expect(inspected.coverage.entries).toEqual([
      expect.objectContaining({ toolkitId: 'github', status: 'ready', metrics: { files_analyzed: 23, test_count: 127, coverage: 0.82 } }),
    ]);
    const confirmed = await service.confirmToolkits({ missionId: mission.id }, JORDAN);
    expect(confirmed.state).toBe('planning');
    expect(await eventTypes(mission.id)).toEqual([
      'intent_submitted',
      'brief_generated',
      'mission_brief_locked',
      'mission_stage_transition',
      'toolkit_recommended',
      'toolkit_recommended',
      'toolkit_recommended',
      'toolkit_selected',
      'toolkit_selected',
      'data_preview_generated',
      'readiness_status_changed',
      'mission_stage_transition',
      // Entering Plan, the built-in planner offers its candidates at once.
      ...confirmed.plays.map(() => 'planner_candidate_generated'),
      'plan_ranked',
    ]);
    expect(confirmed.plays.length).toBeGreaterThanOrEqual(2);
  });

  it('lets a person, never an assistant, override low coverage with a reason', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    await service.selectToolkits({ missionId: mission.id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'slack' }] }, JORDAN);
    await service.recordCoverage({ missionId: mission.id, toolkitId: 'github', status: 'ready', summary: '23 files in scope' }, JORDAN);
    const before = await snapshot(mission.id);

    const byAssistant = await refusal(service.confirmToolkits({ missionId: mission.id, override: { reason: 'Slack is only for updates' } }, ASSISTANT));
    expect(byAssistant).toMatchObject({ code: 'permission_denied', details: { field: 'override' } });
    const noReason = await refusal(service.confirmToolkits({ missionId: mission.id, override: { reason: '' } }, JORDAN));
    expect(noReason).toMatchObject({ code: 'invalid_input', details: { field: 'override.reason' } });
    expect(await snapshot(mission.id)).toEqual(before);

    const confirmed = await service.confirmToolkits({ missionId: mission.id, override: { reason: 'Slack is only for updates' } }, JORDAN);
    expect(confirmed.state).toBe('planning');
    expect(confirmed.coverage.override).toMatchObject({ reason: 'Slack is only for updates', coverage: 0.5, by: JORDAN });
    const override = (await db.missions.events(mission.id)).find((e) => e.type === 'governance_override_requested')!;
    expect(override.payload).toEqual({ gate: 'coverage', coverage: 0.5, required: 0.85, reason: 'Slack is only for updates' });
  });

  it('marks a toolkit degraded when its inspector fails, instead of failing the mission', async () => {
    inspectors.push({ toolkitId: 'github', inspect: async () => Promise.reject(new Error('GitHub answered 502')) });
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    await service.selectToolkits({ missionId: mission.id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear' }] }, JORDAN);
    const inspected = await service.inspectCoverage({ missionId: mission.id }, JORDAN);
    // Linear has no inspector and no credentials: it needs auth (the Slack toolkit message names the variable to set).
    expect(inspected.coverage.entries.map((e) => [e.toolkitId, e.status])).toEqual([
      ['github', 'degraded'],
      ['linear', 'needs_auth'],
    ]);
    expect(inspected.coverage.entries[0]!.summary).toContain('GitHub answered 502');
    expect(inspected.coverage.entries[1]!.summary).toContain('no credentials are configured');
    expect(inspected.state).toBe('preparing');
  });

  it('refuses a bad toolkit selection naming the field, and writes nothing', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    const before = await snapshot(mission.id);
    const unknown = await refusal(service.selectToolkits({ missionId: mission.id, toolkits: [{ toolkitId: 'jira' }] }, JORDAN));
    expect(unknown).toMatchObject({ code: 'invalid_input', details: { field: 'toolkits[0].toolkitId' } });
    expect(unknown.message).toContain('github, linear, slack');
    expect(await refusal(service.selectToolkits({ missionId: mission.id, toolkits: [] }, JORDAN))).toMatchObject({ details: { field: 'toolkits' } });
    expect(await refusal(service.recordCoverage({ missionId: mission.id, toolkitId: 'github', status: untyped('great'), summary: 'x' }, JORDAN))).toMatchObject(
      {
        details: { field: 'status' },
      },
    );
    expect(await snapshot(mission.id)).toEqual(before);
  });

  it('keeps every concurrent edit and a valid chain, across two service instances', async () => {
    // A second service on the same database stands in for a second process: its edits race
    // with the first one's and lose the version check now and then, then retry.
    const other = new MissionService({ repository: db.missions, clock, ids: randomIds, drafter: deterministicBriefDrafter });
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? service : other).editChip({ missionId: mission.id, kind: 'kpis', items: [`KPI variant ${i}`] }, JORDAN),
      ),
    );
    const after = await service.getMission({ missionId: mission.id });
    expect(after.brief.editsMade).toBe(8);
    expect(after.eventSeq).toBe(10);
    expect(await service.verifyEventLog({ missionId: mission.id })).toMatchObject({ ok: true, eventCount: 10 });
  });

  it('detects an event edited or deleted in the database', async () => {
    const mission = await service.startMission({ intent: SEED_INTENT }, JORDAN);
    await service.editChip({ missionId: mission.id, kind: 'kpis', items: ['Test coverage ≥ 90%'] }, JORDAN);
    await service.lockBrief({ missionId: mission.id }, JORDAN);
    expect(await service.verifyEventLog({ missionId: mission.id })).toMatchObject({ ok: true });

    await db.prisma.missionEvent.updateMany({
      where: { missionId: mission.id, seq: 3 },
      data: { payload: JSON.stringify({ chip_type: 'kpis', action: 'edit', before: [], after: ['Test coverage ≥ 50%'], source: 'edited' }) },
    });
    expect(await service.verifyEventLog({ missionId: mission.id })).toMatchObject({ ok: false, brokenAtSeq: 3 });

    const other = await service.startMission({ intent: 'Fix the flaky login test' }, JORDAN);
    await service.lockBrief({ missionId: other.id }, JORDAN);
    const last = await db.prisma.missionEvent.findFirst({ where: { missionId: other.id }, orderBy: { seq: 'desc' } });
    await db.prisma.missionEvent.delete({ where: { id: last!.id } });
    expect(await service.verifyEventLog({ missionId: other.id })).toMatchObject({ ok: false, reason: expect.stringContaining('records') });
  });

  it('lists missions by state, requester and text, a page at a time', async () => {
    const ids: string[] = [];
    for (const intent of ['Fix the flaky login test', 'Add CSRF tokens to the API', 'Speed up the search endpoint (p95 under 200ms)']) {
      ids.push((await service.startMission({ intent }, JORDAN)).id);
      clock.advance(1000);
    }
    await service.lockBrief({ missionId: ids[1]! }, JORDAN);
    expect((await service.listMissions({ state: 'preparing' })).missions.map((m) => m.id)).toEqual([ids[1]]);
    expect((await service.listMissions({ text: 'csrf' })).missions.map((m) => m.id)).toEqual([ids[1]]);
    expect((await service.listMissions({ requesterId: 'U0SOMEONE' })).missions).toEqual([]);

    const first = await service.listMissions({ limit: 2 });
    expect(first.missions.map((m) => m.id)).toEqual([ids[1], ids[2]]);
    const second = await service.listMissions({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.missions.map((m) => m.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    expect(await refusal(service.listMissions({ cursor: 'garbage' }))).toMatchObject({ details: { field: 'cursor' } });
    expect(await refusal(service.listMissions({ state: untyped('sleeping') }))).toMatchObject({ details: { field: 'state' } });
  });
});
