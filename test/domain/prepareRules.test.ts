// Prepare rules (src/domain/prepareRules.ts) called directly, no database: selecting toolkits,
// recording coverage, what an uninspected toolkit records, leaving Prepare into Plan with the
// planner's plays, connector health, and each refusal leaving the mission as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { coverageMeter, type Mission } from '../../src/domain/mission.js';
import {
  acceptReportedCoverage,
  confirmToolkits,
  failedInspection,
  recordConnectorFailure,
  recordConnectorRecovered,
  recordCoverage,
  selectToolkits,
  uninspectedCoverage,
} from '../../src/domain/prepareRules.js';
import { TOOLKIT_CATALOG } from '../../src/domain/toolkits.js';
import { commandBy, eventTypes, inMemoryService, refusedBy } from '../support/ruleHarness.js';
import { SEED_PLAY_1 } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';

const NOW = new Date('2025-10-15T09:55:00.000Z');
const PLANNED = { plays: [SEED_PLAY_1] };
const PLANNER = { name: 'default', fallback: 'default' };

let preparing: Mission;
let defining: Mission;
beforeAll(async () => {
  const { service } = inMemoryService();
  defining = await service.startMission({ intent: SEED_INTENT }, JORDAN);
  const other = await service.startMission({ intent: SEED_INTENT }, JORDAN);
  preparing = await service.lockBrief({ missionId: other.id }, JORDAN);
});

const select = (mission: Mission, toolkits: { toolkitId: string; defer: boolean }[], authStatus = {}) =>
  selectToolkits(mission, { toolkits, authStatus }, commandBy(JORDAN, NOW));
/** A connector's inspection found the toolkit ready (the service runs inspectors with `via: 'inspection'`). */
const ready = (mission: Mission, toolkitId: string) =>
  recordCoverage(mission, { toolkitId, status: 'ready', summary: 'inspected', metrics: {}, via: 'inspection' }, commandBy(JORDAN, NOW));
const reportedReady = (mission: Mission, toolkitId: string) =>
  recordCoverage(mission, { toolkitId, status: 'ready', summary: 'the assistant read it', metrics: {}, via: 'report' }, commandBy(ASSISTANT, NOW));

describe('selectToolkits', () => {
  it('selects the named toolkits with their auth status, deferred ones as deferred, and lists the whole catalog', () => {
    const cmd = commandBy(JORDAN, NOW);
    const selected = selectToolkits(
      preparing,
      {
        toolkits: [
          { toolkitId: 'github', defer: false },
          { toolkitId: 'linear', defer: true },
        ],
        authStatus: { github: 'ready' },
      },
      cmd,
    );
    expect(selected.toolkits).toHaveLength(TOOLKIT_CATALOG.length);
    expect(selected.toolkits.filter((t) => t.selected).map((t) => [t.toolkitId, t.authStatus])).toEqual([
      ['github', 'ready'],
      ['linear', 'deferred'],
    ]);
    expect(cmd.events.pending.map((e) => e.payload)).toEqual([
      { toolkit_id: 'github', auth_status: 'ready', deferred: false },
      { toolkit_id: 'linear', auth_status: 'deferred', deferred: true },
    ]);
  });

  it('replaces an earlier selection', () => {
    const again = select(select(preparing, [{ toolkitId: 'github', defer: false }]), [{ toolkitId: 'slack', defer: false }]);
    expect(again.toolkits.filter((t) => t.selected).map((t) => t.toolkitId)).toEqual(['slack']);
  });

  it('refuses outside Prepare, naming the state, and changes nothing', () => {
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(defining, cmd, () => selectToolkits(defining, { toolkits: [{ toolkitId: 'github', defer: false }], authStatus: {} }, cmd));
    expect(error).toMatchObject({
      code: 'transition_refused',
      message: 'Cannot select toolkits: the mission is defining, and this is only possible while it is preparing.',
    });
  });
});

describe('recordCoverage', () => {
  it("appends a connector's finding at the command time and records a readiness change only when the status changes", () => {
    const cmd = commandBy(ASSISTANT, NOW);
    const first = recordCoverage(
      preparing,
      { toolkitId: 'github', status: 'ready', summary: '14 open PRs', metrics: { open_prs: 14 }, via: 'inspection' },
      cmd,
    );
    expect(first.coverage.entries.at(-1)).toEqual({
      toolkitId: 'github',
      status: 'ready',
      summary: '14 open PRs',
      metrics: { open_prs: 14 },
      recordedAt: NOW.toISOString(),
      recordedBy: 'connector',
    });
    expect(eventTypes(cmd)).toEqual(['data_preview_generated', 'readiness_status_changed']);
    expect(cmd.events.pending[0]!.payload).toMatchObject({ recorded_by: 'connector' });
    const again = commandBy(ASSISTANT, NOW);
    recordCoverage(first, { toolkitId: 'github', status: 'ready', summary: 'still 14 open PRs', metrics: {}, via: 'inspection' }, again);
    expect(eventTypes(again)).toEqual(['data_preview_generated']);
  });

  it("records an assistant's report as the assistant's: shown, but the meter does not count it", () => {
    const selected = select(preparing, [{ toolkitId: 'github', defer: false }]);
    const cmd = commandBy(ASSISTANT, NOW);
    const reported = recordCoverage(selected, { toolkitId: 'github', status: 'ready', summary: 'I read it', metrics: {}, via: 'report' }, cmd);
    expect(reported.coverage.entries.at(-1)).toMatchObject({ recordedBy: 'assistant', status: 'ready' });
    expect(coverageMeter(reported)).toBe(0);
    expect(eventTypes(cmd)).toEqual(['data_preview_generated']);
    expect(cmd.events.pending[0]!.payload).toMatchObject({ recorded_by: 'assistant' });
  });

  it("counts a person's report, and an assistant's later report does not replace a connector's finding", () => {
    const selected = select(preparing, [{ toolkitId: 'github', defer: false }]);
    const byPerson = recordCoverage(
      selected,
      { toolkitId: 'github', status: 'ready', summary: 'I checked', metrics: {}, via: 'report' },
      commandBy(JORDAN, NOW),
    );
    expect(byPerson.coverage.entries.at(-1)).toMatchObject({ recordedBy: 'person' });
    expect(coverageMeter(byPerson)).toBe(1);
    const inspected = ready(selected, 'github');
    const claimedBlocked = recordCoverage(
      inspected,
      { toolkitId: 'github', status: 'blocked', summary: 'x', metrics: {}, via: 'report' },
      commandBy(ASSISTANT, NOW),
    );
    expect(coverageMeter(claimedBlocked)).toBe(1);
  });

  it('refuses outside Prepare and changes nothing', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    expect(
      refusedBy(defining, cmd, () => recordCoverage(defining, { toolkitId: 'github', status: 'ready', summary: 'x', metrics: {}, via: 'report' }, cmd)).code,
    ).toBe('transition_refused');
  });

  it('says what a toolkit without an inspector needs, and what a failed inspection was', () => {
    expect(uninspectedCoverage({ toolkitId: 'linear', authStatus: 'needs_auth' })).toMatchObject({
      status: 'needs_auth',
      summary: expect.stringContaining('Connect it, or defer it'),
    });
    expect(uninspectedCoverage({ toolkitId: 'linear', authStatus: 'unknown' })).toMatchObject({
      status: 'needs_data',
      summary: expect.stringContaining('No inspector is configured for linear'),
    });
    expect(failedInspection(new Error('rate limited'))).toEqual({ status: 'degraded', summary: 'Inspection failed: rate limited', metrics: {} });
  });
});

describe('confirmToolkits', () => {
  it("enters Plan with the planner's plays once coverage is at the threshold", () => {
    const covered = ready(select(preparing, [{ toolkitId: 'github', defer: false }]), 'github');
    const cmd = commandBy(JORDAN, NOW);
    const planning = confirmToolkits(covered, { planned: PLANNED, planner: PLANNER, library: [] }, cmd);
    expect(planning.state).toBe('planning');
    expect(planning.plays.map((p) => [p.title, p.source])).toEqual([[SEED_PLAY_1.title, 'default_planner']]);
    expect(eventTypes(cmd)).toContain('mission_stage_transition');
    expect(eventTypes(cmd)).not.toContain('drafter_fallback');
  });

  it("records a model planner's fallback", () => {
    const covered = ready(select(preparing, [{ toolkitId: 'github', defer: false }]), 'github');
    const cmd = commandBy(JORDAN, NOW);
    confirmToolkits(
      covered,
      { planned: { ...PLANNED, fallbackReason: 'the model refused' }, planner: { name: 'anthropic:claude', fallback: 'default' }, library: [] },
      cmd,
    );
    expect(cmd.events.pending.find((e) => e.type === 'drafter_fallback')?.payload).toEqual({
      task: 'plan',
      drafter: 'anthropic:claude',
      fallback: 'default',
      reason: 'the model refused',
    });
  });

  it('refuses below the threshold without an override, and an override from an assistant, changing nothing', () => {
    const uncovered = select(preparing, [{ toolkitId: 'github', defer: false }]);
    const cmd = commandBy(JORDAN, NOW);
    expect(refusedBy(uncovered, cmd, () => confirmToolkits(uncovered, { planned: PLANNED, planner: PLANNER, library: [] }, cmd))).toMatchObject({
      code: 'precondition_failed',
      message: expect.stringContaining('Coverage is 0%'),
    });
    const byAssistant = commandBy(ASSISTANT, NOW);
    expect(
      refusedBy(uncovered, byAssistant, () =>
        confirmToolkits(uncovered, { override: { reason: 'trust me' }, planned: PLANNED, planner: PLANNER, library: [] }, byAssistant),
      ).code,
    ).toBe('permission_denied');
  });

  it('lets a person override the coverage gate with a reason, kept on the mission', () => {
    const uncovered = select(preparing, [{ toolkitId: 'github', defer: false }]);
    const planning = confirmToolkits(
      uncovered,
      { override: { reason: 'Read-only repo, reviewed by hand' }, planned: PLANNED, planner: PLANNER, library: [] },
      commandBy(JORDAN, NOW),
    );
    expect(planning.coverage.override).toMatchObject({ reason: 'Read-only repo, reviewed by hand', by: JORDAN, coverage: 0 });
  });
});

describe('acceptReportedCoverage', () => {
  it("lets a person accept the assistant's report: the meter counts it, with who accepted, and the event says what changed", () => {
    const reported = reportedReady(select(preparing, [{ toolkitId: 'github', defer: false }]), 'github');
    const cmd = commandBy(JORDAN, NOW);
    const accepted = acceptReportedCoverage(reported, {}, cmd);
    expect(coverageMeter(accepted)).toBe(1);
    expect(accepted.coverage.entries.at(-1)).toMatchObject({
      toolkitId: 'github',
      status: 'ready',
      recordedBy: 'person',
      acceptedBy: JORDAN,
      summary: 'the assistant read it',
    });
    expect(cmd.events.pending.map((e) => [e.type, e.payload])).toEqual([
      ['readiness_status_changed', { toolkit_id: 'github', from: 'unknown', to: 'ready' }],
      ['reported_coverage_accepted', { toolkit_ids: ['github'], coverage_before: 0, coverage_after: 1 }],
    ]);
    // Now at the threshold, the assistant may confirm.
    expect(confirmToolkits(accepted, { planned: PLANNED, planner: PLANNER, library: [] }, commandBy(ASSISTANT, NOW)).state).toBe('planning');
  });

  it('refuses an assistant, naming the Slack control, and changes nothing', () => {
    const reported = reportedReady(select(preparing, [{ toolkitId: 'github', defer: false }]), 'github');
    const cmd = commandBy(ASSISTANT, NOW);
    expect(refusedBy(reported, cmd, () => acceptReportedCoverage(reported, {}, cmd))).toMatchObject({
      code: 'permission_denied',
      message: expect.stringContaining('Only a person can accept coverage an assistant reported'),
    });
  });

  it('refuses when nothing reported by the assistant is waiting, and outside Prepare', () => {
    const inspected = ready(select(preparing, [{ toolkitId: 'github', defer: false }]), 'github');
    const cmd = commandBy(JORDAN, NOW);
    expect(refusedBy(inspected, cmd, () => acceptReportedCoverage(inspected, {}, cmd))).toMatchObject({
      code: 'precondition_failed',
      message: expect.stringContaining('No assistant-reported coverage is waiting'),
    });
    const other = commandBy(JORDAN, NOW);
    expect(refusedBy(defining, other, () => acceptReportedCoverage(defining, {}, other)).code).toBe('transition_refused');
  });

  it("refuses to leave Prepare on the assistant's report alone, saying why and how to proceed", () => {
    const reported = reportedReady(select(preparing, [{ toolkitId: 'github', defer: false }]), 'github');
    const cmd = commandBy(ASSISTANT, NOW);
    expect(refusedBy(reported, cmd, () => confirmToolkits(reported, { planned: PLANNED, planner: PLANNER, library: [] }, cmd))).toMatchObject({
      code: 'precondition_failed',
      message: expect.stringContaining('Coverage of github was reported by the assistant, which does not count until a person accepts it'),
      details: { reportedByAssistant: ['github'], coverage: 0 },
    });
  });
});

describe('connector health', () => {
  it('marks a selected toolkit degraded once per outage, and ready again when it answers', () => {
    const selected = select(preparing, [{ toolkitId: 'linear', defer: false }], { linear: 'ready' });
    const failing = { toolkitId: 'linear', operation: 'file follow-ups', error: '503' };
    const cmd = commandBy(JORDAN, NOW);
    const degraded = recordConnectorFailure(selected, failing, cmd);
    expect(degraded.toolkits.find((t) => t.toolkitId === 'linear')?.authStatus).toBe('degraded');
    expect(cmd.events.pending.map((e) => [e.type, e.payload])).toEqual([
      ['connector_call_failed', { toolkit_id: 'linear', operation: 'file follow-ups', error: '503' }],
      ['readiness_status_changed', { toolkit_id: 'linear', from: 'ready', to: 'degraded' }],
    ]);
    const again = commandBy(JORDAN, NOW);
    expect(recordConnectorFailure(degraded, failing, again)).toBe(degraded);
    expect(again.events.pending).toEqual([]);
    const recoveredCmd = commandBy(JORDAN, NOW);
    const recovered = recordConnectorRecovered(degraded, { toolkitId: 'linear' }, recoveredCmd);
    expect(recovered.toolkits.find((t) => t.toolkitId === 'linear')?.authStatus).toBe('ready');
    expect(eventTypes(recoveredCmd)).toEqual(['readiness_status_changed']);
    const healthy = commandBy(JORDAN, NOW);
    expect(recordConnectorRecovered(recovered, { toolkitId: 'linear' }, healthy)).toBe(recovered);
  });

  it('records a failure of a toolkit the mission does not use without changing its toolkits', () => {
    const cmd = commandBy(JORDAN, NOW);
    const after = recordConnectorFailure(defining, { toolkitId: 'github', operation: 'call' }, cmd);
    expect(after).toBe(defining);
    expect(cmd.events.pending.map((e) => e.payload)).toEqual([{ toolkit_id: 'github', operation: 'call', error: 'no answer' }]);
  });
});
