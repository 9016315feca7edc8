// The MCP tools through the SDK's own Client over an in-memory transport: listing and
// annotations, structured results, and every kind of refusal (schema, unknown mission,
// refused transition, permission, oversize) answered as a tool error that names the field or
// state, with nothing written.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_EVIDENCE_BYTES } from '../../src/domain/missionInputs.js';
import { PROVIDERS } from '../support/databases.js';
import { SEED_PLAY_1, SEED_POLICY, seedToApprovalRequested, seedToExecuting, seedToPlanning } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { footprint, openHarness, textOf, wholeFootprint, type Harness } from './mcpHarness.js';

const READ_TOOLS = ['get_mission', 'list_missions', 'search_library', 'verify_event_log'];
const WRITE_TOOLS = [
  'add_follow_up',
  'attach_evidence',
  'cancel_mission',
  'complete_mission',
  'dismiss_play',
  'propose_plays',
  'report_progress',
  'request_approval',
  'request_rollback',
  'select_toolkits',
  'start_mission',
  'submit_retrospective',
  'update_brief',
  'wait_for_approval',
];

describe.each(PROVIDERS)('MCP tools on %s', (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY });
  });
  afterEach(async () => {
    await h.close();
  });

  it('lists every tool with input and output schemas, read-only ones annotated, and no tool that approves', async () => {
    const { tools } = await h.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(READ_TOOLS.includes(tool.name) || tool.name === 'wait_for_approval');
    }
    expect(
      tools.some((t) => /approve|decide|resolve|override|feedback|pin/.test(t.name) && t.name !== 'request_approval' && t.name !== 'wait_for_approval'),
    ).toBe(false);
    // The domain schemas are what clients see: required fields, enums, the report kinds as an enum with their fields.
    const start = tools.find((t) => t.name === 'start_mission')!;
    expect(start.inputSchema).toMatchObject({ type: 'object', required: ['intent'], properties: { intent: { type: 'string', minLength: 3 } } });
    const report = tools.find((t) => t.name === 'report_progress')!.inputSchema;
    expect(report).toMatchObject({ type: 'object', required: ['kind', 'missionId'], additionalProperties: false });
    expect(report.properties?.kind).toMatchObject({
      enum: ['phase_started', 'phase_completed', 'phase_failed', 'step_completed', 'test_run', 'validator_alert', 'deviation', 'usage'],
    });
  });

  it('starts a mission and reads it back with next steps for the assistant and for people', async () => {
    const started = await h.ok<{ mission: { id: string; state: string; requester: unknown; brief: { chips: Array<{ kind: string }> } } }>('start_mission', {
      intent: SEED_INTENT,
      channelId: 'C0MISSIONS',
      chips: [{ kind: 'timeline', items: ['Production ready by end of day'], confidence: 'high' }],
    });
    expect(started.mission).toMatchObject({ state: 'defining', requester: ASSISTANT });
    expect(started.mission.brief.chips.map((c) => c.kind)).toEqual(['objective', 'scope', 'acceptance_criteria', 'kpis', 'safeguards', 'timeline']);
    const view = await h.ok<{
      next: { steps: Array<{ action: string; who: string; tool: string | null }> };
      brief: { chips: Array<{ kind: string; source: string }> };
    }>('get_mission', {
      missionId: started.mission.id,
    });
    expect(view.brief.chips.find((c) => c.kind === 'timeline')!.source).toBe('assistant');
    expect(view.next.steps).toContainEqual(expect.objectContaining({ action: 'lock_brief', who: 'either', tool: 'update_brief' }));
    const listed = await h.ok<{ missions: Array<{ id: string }> }>('list_missions', { state: 'defining', text: 'authentication' });
    expect(listed.missions.map((m) => m.id)).toEqual([started.mission.id]);
    const none = await h.call('list_missions', { state: 'done' });
    expect(textOf(none)).toBe('0 mission(s).');
  });

  it('refuses schema failures with the field named and creates nothing', async () => {
    const before = await wholeFootprint(h.service);
    const empty = await h.refused('start_mission', { intent: '  ' });
    expect(empty).toMatchObject({ code: 'invalid_input', details: { field: 'intent' } });
    expect(empty.text).toContain('intent is empty: describe what the mission should achieve');
    const wrongType = await h.refused('start_mission', { intent: 42 });
    expect(wrongType.text).toBe('start_mission: intent must be a string, got a number.');
    const missing = await h.refused('start_mission', {});
    expect(missing.text).toContain('intent is required');
    const badChip = await h.refused('start_mission', { intent: 'Fix the flaky login test', chips: [{ kind: 'vibes', items: ['x'] }] });
    expect(badChip.text).toContain('chips[0].kind');
    expect(badChip.text).toContain('kind must be one of: objective, scope');
    const badState = await h.refused('list_missions', { state: 'sleeping' });
    expect(badState.text).toContain('state must be one of: defining');
    expect(await wholeFootprint(h.service)).toBe(before);
    // The server keeps serving after refusals.
    expect((await h.ok<{ missions: unknown[] }>('list_missions', {})).missions).toEqual([]);
  });

  it('refuses an unknown mission by id, for reads and writes', async () => {
    const read = await h.refused('get_mission', { missionId: 'msn_nope' });
    expect(read).toMatchObject({ code: 'mission_not_found', details: { field: 'missionId' } });
    expect(read.text).toContain('No mission with id "msn_nope"');
    const write = await h.refused('report_progress', { missionId: 'msn_nope', kind: 'phase_started', phaseId: 'x' });
    expect(write.code).toBe('mission_not_found');
    const missing = await h.refused('get_mission', {});
    expect(missing.text).toContain('missionId is required');
  });

  it('edits and locks the brief in one call, or refuses the whole call and writes nothing', async () => {
    const { mission } = await h.ok<{ mission: { id: string } }>('start_mission', { intent: SEED_INTENT });
    const id = mission.id;
    const before = await footprint(h.service, id);
    const refusal = await h.refused('update_brief', {
      missionId: id,
      edits: [
        { kind: 'kpis', items: ['Test coverage ≥90%'] },
        { kind: 'timeline', items: [] },
      ],
      lock: true,
    });
    expect(refusal.text).toContain('edits[1].items');
    expect(refusal.text).toContain('items must hold at least one statement');
    const noop = await h.refused('update_brief', { missionId: id });
    expect(noop.text).toContain('nothing to do');
    const missingChip = await h.refused('update_brief', { missionId: id, edits: [{ kind: 'kpis', items: ['x'] }], remove: ['kpis'] });
    expect(missingChip.text).toContain('remove: kpis is also in edits');
    expect(await footprint(h.service, id)).toEqual(before);

    const updated = await h.ok<{ applied: string[]; mission: { state: string; toolkits: Array<{ toolkitId: string }> } }>('update_brief', {
      missionId: id,
      edits: [{ kind: 'kpis', items: ['Session persistence >99.9%', 'Test coverage ≥90%'] }],
      lock: true,
    });
    expect(updated.applied).toEqual(['edited kpis', 'locked']);
    expect(updated.mission.state).toBe('preparing');
    expect(updated.mission.toolkits.map((t) => t.toolkitId)).toContain('github');

    const locked = await footprint(h.service, id);
    const lockedRefusal = await h.refused('update_brief', { missionId: id, edits: [{ kind: 'kpis', items: ['x'] }] });
    expect(lockedRefusal).toMatchObject({ code: 'brief_locked', details: { state: 'preparing' } });
    expect(lockedRefusal.text).toContain('pass reopen: true');
    expect(await footprint(h.service, id)).toEqual(locked);
    const reopened = await h.ok<{ applied: string[]; mission: { state: string } }>('update_brief', {
      missionId: id,
      reopen: true,
      edits: [{ kind: 'timeline', items: ['By Friday'] }],
    });
    expect(reopened).toMatchObject({ applied: ['reopened', 'edited timeline'], mission: { state: 'defining' } });
  });

  it("does not open Prepare's threshold on the assistant's own coverage report, and says why and who can", async () => {
    const { mission } = await h.ok<{ mission: { id: string } }>('start_mission', { intent: SEED_INTENT });
    const id = mission.id;
    await h.ok('update_brief', { missionId: id, lock: true });
    const result = await h.call('select_toolkits', {
      missionId: id,
      toolkits: [{ toolkitId: 'github' }],
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'I read every file' }],
      confirm: true,
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ confirmed: false, coverage: { meter: 0 }, mission: { state: 'preparing' } });
    expect(textOf(result)).toContain(
      'Not confirmed: coverage is 0% (85% needed to plan). Your coverage report for github is recorded as reported by the assistant and does not count until a person accepts it in Slack ("Accept reported coverage" on the toolkits message) or a connector inspects the toolkit.',
    );
    const view = await h.ok<{
      toolkits: Array<{ toolkitId: string; readiness: string; reportedByAssistant: { status: string; summary: string } | null }>;
      coverage: { reportedByAssistant: string[] };
      next: { steps: Array<{ action: string; who: string; tool: string | null; slack: string | null }> };
    }>('get_mission', { missionId: id });
    expect(view.toolkits.find((t) => t.toolkitId === 'github')).toMatchObject({
      readiness: 'unknown',
      reportedByAssistant: { status: 'ready', summary: 'I read every file' },
    });
    expect(view.coverage.reportedByAssistant).toEqual(['github']);
    expect(view.next.steps.find((s) => s.action === 'accept_reported_coverage')).toMatchObject({ who: 'person', tool: null });
    // Reporting again, even many times, changes nothing the meter counts.
    const again = await h.ok<{ confirmed: boolean; coverage: { meter: number } }>('select_toolkits', {
      missionId: id,
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'Really, I read it' }],
    });
    expect(again).toMatchObject({ confirmed: false, coverage: { meter: 0 } });
    expect((await h.service.getMission({ missionId: id })).state).toBe('preparing');
  });

  it('selects toolkits, records coverage and confirms only at the threshold', async () => {
    const { mission } = await h.ok<{ mission: { id: string } }>('start_mission', { intent: SEED_INTENT });
    const id = mission.id;
    const early = await h.refused('select_toolkits', { missionId: id, toolkits: [{ toolkitId: 'github' }] });
    expect(early).toMatchObject({ code: 'transition_refused', details: { state: 'defining' } });
    expect(early.text).toContain('Lock the brief first');
    await h.ok('update_brief', { missionId: id, lock: true });
    const before = await footprint(h.service, id);
    const stray = await h.refused('select_toolkits', {
      missionId: id,
      toolkits: [{ toolkitId: 'github' }],
      coverage: [{ toolkitId: 'linear', status: 'ready', summary: 'ok' }],
    });
    expect(stray.text).toContain('coverage[0].toolkitId: linear is not selected');
    const unknown = await h.refused('select_toolkits', { missionId: id, toolkits: [{ toolkitId: 'jira' }] });
    expect(unknown.text).toContain('toolkitId must be one of');
    expect(await footprint(h.service, id)).toEqual(before);

    const partial = await h.ok<{ confirmed: boolean; coverage: { meter: number } }>('select_toolkits', {
      missionId: id,
      toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear' }],
      coverage: [{ toolkitId: 'github', status: 'ready', summary: '23 auth files, 127 tests' }],
    });
    // The assistant's report is shown, not counted: the meter stays at 0 until a person accepts it.
    expect(partial).toMatchObject({ confirmed: false, coverage: { meter: 0 } });
    const reported = await h.ok<{ confirmed: boolean; coverage: { meter: number } }>('select_toolkits', {
      missionId: id,
      coverage: [{ toolkitId: 'linear', status: 'ready', summary: 'Team ENG found' }],
    });
    expect(reported).toMatchObject({ confirmed: false, coverage: { meter: 0 } });
    await h.service.acceptReportedCoverage({ missionId: id }, JORDAN);
    const confirmed = await h.ok<{ confirmed: boolean; mission: { state: string; plays: unknown[] } }>('select_toolkits', { missionId: id });
    expect(confirmed.confirmed).toBe(true);
    expect(confirmed.mission.state).toBe('planning');
    expect(confirmed.mission.plays.length).toBeGreaterThan(0);
  });

  it('tells an assistant that reports progress before approval what the mission waits for and who can unblock it', async () => {
    const requested = await seedToApprovalRequested(h.service, h.clock);
    const before = await footprint(h.service, requested.id);
    const refusal = await h.refused('report_progress', { missionId: requested.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' });
    expect(refusal).toMatchObject({ code: 'transition_refused', details: { state: 'awaiting_approval', waitingFor: ['U0ADVISOR', 'U0SECLEAD'] } });
    expect(refusal.text).toContain('waiting for approval: 2 more approvals from U0ADVISOR or U0SECLEAD');
    expect(refusal.text).toContain('only a person can approve');
    // MCP clients get plain ids, never Slack markup.
    expect(refusal.text).not.toMatch(/<[@#!]/);
    const evidence = await h.refused('attach_evidence', { missionId: requested.id, name: 'x', kind: 'markdown', content: 'x' });
    expect(evidence.details).toMatchObject({ state: 'awaiting_approval' });
    expect(await footprint(h.service, requested.id)).toEqual(before);
    const view = await h.ok<{ next: { waitingFor: string; steps: Array<{ action: string; who: string; people?: string[] }> } }>('get_mission', {
      missionId: requested.id,
    });
    expect(view.next.waitingFor).toContain('2 more approvals from U0ADVISOR or U0SECLEAD');
    expect(view.next.steps).toContainEqual(expect.objectContaining({ action: 'approve', who: 'person', people: ['U0ADVISOR', 'U0SECLEAD'] }));
  });

  it('names the report kinds and the bad field of a report, and writes nothing', async () => {
    const executing = await seedToExecuting(h.service, h.clock);
    const before = await footprint(h.service, executing.id);
    const kind = await h.refused('report_progress', { missionId: executing.id, kind: 'phase_finished', phaseId: 'jwt_refresh_fix' });
    expect(kind.text).toContain('kind must be one of: phase_started, phase_completed, phase_failed, step_completed, test_run, validator_alert, deviation');
    const passing = await h.refused('report_progress', { missionId: executing.id, kind: 'test_run', phaseId: 'jwt_refresh_fix', total: 10, passing: 12 });
    expect(passing.text).toContain('passing must not be more than total');
    const phase = await h.refused('report_progress', { missionId: executing.id, kind: 'phase_started', phaseId: 'warp_drive' });
    expect(phase.text).toContain('phaseId: the approved play has no phase "warp_drive". Phases: jwt_refresh_fix, token_revocation');
    const order = await h.refused('report_progress', { missionId: executing.id, kind: 'phase_started', phaseId: 'csrf_protection' });
    expect(order.text).toContain('complete "JWT Refresh Fix", "Token Revocation" before starting "CSRF Protection"');
    expect(await footprint(h.service, executing.id)).toEqual(before);
    const started = await h.ok<{ phase: { status: string }; next: { steps: Array<{ tool: string | null }> } }>('report_progress', {
      missionId: executing.id,
      kind: 'phase_started',
      phaseId: 'jwt_refresh_fix',
    });
    expect(started.phase.status).toBe('running');
  });

  it('refuses evidence over the size limit, naming the limit, and hashes what it accepts', async () => {
    const executing = await seedToExecuting(h.service, h.clock);
    const before = await footprint(h.service, executing.id);
    const oneMegabyte = 'x'.repeat(1024 * 1024);
    const big = await h.refused('attach_evidence', { missionId: executing.id, name: 'huge log', kind: 'file', content: oneMegabyte });
    expect(big).toMatchObject({ code: 'invalid_input', details: { field: 'content', limit: MAX_EVIDENCE_BYTES, size: 1024 * 1024 } });
    expect(big.text).toContain(`over the evidence limit of ${MAX_EVIDENCE_BYTES} bytes`);
    const bigJson = await h.refused('attach_evidence', { missionId: executing.id, name: 'huge json', kind: 'json', json: { log: oneMegabyte } });
    expect(bigJson.details).toMatchObject({ field: 'json' });
    const noUrl = await h.refused('attach_evidence', { missionId: executing.id, name: 'PR', kind: 'link' });
    expect(noUrl.text).toContain('url is required for a link artifact');
    expect(await footprint(h.service, executing.id)).toEqual(before);
    const attached = await h.ok<{ artifact: { sha256: string; sizeBytes: number } }>('attach_evidence', {
      missionId: executing.id,
      name: 'notes',
      kind: 'markdown',
      content: '# Notes\n',
    });
    expect(attached.artifact).toMatchObject({ sha256: createHash('sha256').update('# Notes\n').digest('hex'), sizeBytes: 8 });
  });

  it('applies a lower configured evidence limit', async () => {
    const small = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY, server: { limits: { maxEvidenceBytes: 1000 } } });
    try {
      const executing = await seedToExecuting(small.service, small.clock);
      const refusal = await small.refused('attach_evidence', { missionId: executing.id, name: 'log', kind: 'file', content: 'y'.repeat(1001) });
      expect(refusal.text).toContain('the artifact is 1001 bytes, over the evidence limit of 1000 bytes');
    } finally {
      await small.close();
    }
  });

  it('proposes plays and requests approval, returning pending and where the request was posted', async () => {
    const planning = await seedToPlanning(h.service, h.clock);
    const proposed = await h.ok<{ proposed: string[]; plays: Array<{ id: string; title: string; rank: number }> }>('propose_plays', {
      missionId: planning.id,
      plays: [SEED_PLAY_1],
    });
    expect(proposed.proposed).toHaveLength(1);
    const play = proposed.plays.find((p) => p.id === proposed.proposed[0])!;
    expect(play.title).toBe(SEED_PLAY_1.title);
    const badPlay = await h.refused('propose_plays', { missionId: planning.id, plays: [{ ...SEED_PLAY_1, confidence: 7 }] });
    expect(badPlay.text).toContain('plays[0].confidence');
    const requested = await h.ok<{ status: string; approval: { eligibleApprovers: string[]; required: number }; postedTo: unknown }>('request_approval', {
      missionId: planning.id,
      playId: play.id,
    });
    // Jordan asked through his assistant, so he cannot approve his own critical-risk play.
    expect(requested).toMatchObject({
      status: 'pending',
      approval: { required: 2, eligibleApprovers: ['U0ADVISOR', 'U0SECLEAD'] },
      postedTo: { channelId: 'C0MISSIONS', threadTs: '1697362020.000100' },
    });
    const again = await h.refused('request_approval', { missionId: planning.id });
    expect(again.code).toBe('already_decided');
  });

  it('waits for approval: pending on timeout, then approved with progress notifications while a person decides', async () => {
    const requested = await seedToApprovalRequested(h.service, h.clock);
    const quick = await h.ok<{ status: string }>('wait_for_approval', { missionId: requested.id, timeoutSeconds: 0 });
    expect(quick.status).toBe('pending');
    const tooLong = await h.refused('wait_for_approval', { missionId: requested.id, timeoutSeconds: 3600 });
    expect(tooLong.text).toContain('timeoutSeconds must be at most 600');

    const progress: Array<{ progress: number; message?: string }> = [];
    const waiting = h.call(
      'wait_for_approval',
      { missionId: requested.id, timeoutSeconds: 20 },
      { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await h.service.decideApproval({ missionId: requested.id, decision: 'approve' }, { kind: 'slack_user', id: 'U0ADVISOR' });
    await h.service.decideApproval({ missionId: requested.id, decision: 'approve' }, { kind: 'slack_user', id: 'U0SECLEAD' });
    const result = await waiting;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'approved', approval: { status: 'approved', given: 2 }, mission: { state: 'executing' } });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]!.message).toContain('more approvals from U0ADVISOR or U0SECLEAD');
  });

  it('waits for approval and reports a rejection', async () => {
    const requested = await seedToApprovalRequested(h.service, h.clock);
    const waiting = h.call('wait_for_approval', { missionId: requested.id, timeoutSeconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.service.decideApproval(
      { missionId: requested.id, decision: 'reject', reason: 'Too risky before the launch' },
      { kind: 'slack_user', id: 'U0SECLEAD' },
    );
    const result = await waiting;
    expect(result.structuredContent).toMatchObject({ status: 'rejected', mission: { state: 'planning' } });
    expect(textOf(result)).toContain('Too risky before the launch');
    const fresh = await h.ok<{ mission: { id: string } }>('start_mission', { intent: 'Fix the flaky login test' });
    const never = await h.refused('wait_for_approval', { missionId: fresh.mission.id });
    expect(never.text).toContain('Call request_approval first');
  });

  it('registers only the read-only tools with readOnly', async () => {
    const readOnly = await openHarness(provider, { actor: ASSISTANT, server: { readOnly: true } });
    try {
      const { tools } = await readOnly.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
      const write = await readOnly.call('start_mission', { intent: SEED_INTENT });
      expect(write.isError).toBe(true);
      expect(textOf(write)).toContain('start_mission not found');
    } finally {
      await readOnly.close();
    }
  });

  it('serves mission resources and notifies subscribers when a person approves in Slack', async () => {
    const requested = await seedToApprovalRequested(h.service, h.clock);
    const id = requested.id;
    const templates = await h.client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(
      [
        'mission://{missionId}',
        'mission://{missionId}/artifacts',
        'mission://{missionId}/artifacts{?cursor}',
        'mission://{missionId}/events',
        'mission://{missionId}/events{?cursor}',
        'mission://{missionId}/test-runs',
        'mission://{missionId}/test-runs{?cursor}',
        'mission://{missionId}/steps',
        'mission://{missionId}/steps{?cursor}',
        'mission://{missionId}/plan.md',
        'mission://{missionId}/summary.md',
        'mission://{missionId}/uat.md',
        'mission://{missionId}/verification.md',
      ].sort(),
    );
    const listed = await h.client.listResources();
    expect(listed.resources.map((r) => r.uri)).toEqual([`mission://${id}`]);
    const json = await h.client.readResource({ uri: `mission://${id}` });
    expect(JSON.parse((json.contents[0] as { text: string }).text)).toMatchObject({ id, state: 'awaiting_approval' });
    const plan = await h.client.readResource({ uri: `mission://${id}/plan.md` });
    expect(plan.contents[0]).toMatchObject({
      mimeType: 'text/markdown',
      text: expect.stringContaining('# Plan: Incremental Auth Hardening with Feature Flags'),
    });
    const events = JSON.parse(((await h.client.readResource({ uri: `mission://${id}/events` })).contents[0] as { text: string }).text) as {
      verification: { ok: boolean };
      events: Array<{ type: string; hash: string }>;
    };
    expect(events.verification.ok).toBe(true);
    expect(events.events[0]!.type).toBe('intent_submitted');
    await expect(h.client.readResource({ uri: 'mission://msn_nope/plan.md' })).rejects.toThrow('No mission with id "msn_nope"');

    const updates: string[] = [];
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    h.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await h.client.subscribeResource({ uri: `mission://${id}` });
    await h.client.subscribeResource({ uri: `mission://${id}/plan.md` });
    await expect(h.client.subscribeResource({ uri: 'mission://msn_nope' })).rejects.toThrow('No mission with id');
    await h.service.decideApproval({ missionId: id, decision: 'approve' }, { kind: 'slack_user', id: 'U0ADVISOR' });
    await waitUntil(() => updates.length >= 2);
    expect(updates.sort()).toEqual([`mission://${id}`, `mission://${id}/plan.md`]);
    await h.client.unsubscribeResource({ uri: `mission://${id}/plan.md` });
    updates.length = 0;
    await h.service.decideApproval({ missionId: id, decision: 'approve' }, { kind: 'slack_user', id: 'U0SECLEAD' });
    await waitUntil(() => updates.length >= 1);
    expect(updates).toEqual([`mission://${id}`]);
  });

  it('offers the run_mission and draft_brief prompts', async () => {
    const { prompts } = await h.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['draft_brief', 'run_mission']);
    const run = await h.client.getPrompt({ name: 'run_mission', arguments: { missionId: 'msn_0001' } });
    const text = (run.messages[0]!.content as { text: string }).text;
    for (const tool of [
      'start_mission',
      'update_brief',
      'select_toolkits',
      'propose_plays',
      'request_approval',
      'wait_for_approval',
      'report_progress',
      'attach_evidence',
      'complete_mission',
      'submit_retrospective',
    ]) {
      expect(text).toContain(tool);
    }
    const draft = await h.client.getPrompt({ name: 'draft_brief', arguments: { intent: 'Fix the flaky login test' } });
    expect((draft.messages[0]!.content as { text: string }).text).toContain('Fix the flaky login test');
  });

  it('records the assistant, acting for its person, as the actor of what it does', async () => {
    const { mission } = await h.ok<{ mission: { id: string } }>('start_mission', { intent: SEED_INTENT });
    const events = await h.service.events({ missionId: mission.id });
    expect(events.every((e) => e.actor.kind === 'mcp_token' && e.actor.id === ASSISTANT.id)).toBe(true);
    expect(JORDAN.id).toBe(ASSISTANT.onBehalfOf);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
