// Seed 000 driven entirely through MCP by the assistant; people act through the domain, as
// the Slack bot would for them (approvals, the review alert, the code review, the rating).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import {
  SEED_ARTIFACTS,
  SEED_PHASES,
  SEED_PLAY_1,
  SEED_PLAY_2,
  SEED_PLAY_3,
  SEED_POLICY,
  SEED_REVIEW,
  SECURITY_LEAD,
  signOffTruths,
} from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { openHarness, textOf, type Harness } from './mcpHarness.js';

const MINUTE = 60_000;

describe.each(PROVIDERS)('seed 000 through MCP on %s', (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY });
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs from intent to retrospective and exports PLAN, SUMMARY and VERIFICATION', async () => {
    // Define.
    const { mission } = await h.ok<{ mission: { id: string; brief: { chips: Array<{ kind: string; items: string[] }> } } }>('start_mission', {
      intent: SEED_INTENT,
      channelId: 'C0MISSIONS',
      threadTs: '1697362020.000100',
    });
    const id = mission.id;
    const safeguards = mission.brief.chips.find((c) => c.kind === 'safeguards')!.items;
    h.clock.advance(2 * MINUTE);
    const locked = await h.ok<{ applied: string[]; mission: { state: string } }>('update_brief', {
      missionId: id,
      edits: [
        { kind: 'kpis', items: ['Session persistence >99.9%', 'Logout success rate 100%', 'Vulnerability count 0', 'Test coverage ≥90%'] },
        { kind: 'safeguards', items: [...safeguards, 'No direct database schema changes without migration review'] },
      ],
      lock: true,
    });
    expect(locked).toMatchObject({ applied: ['edited kpis', 'edited safeguards', 'locked'], mission: { state: 'preparing' } });

    // Prepare.
    h.clock.advance(4 * MINUTE);
    const prepared = await h.ok<{ confirmed: boolean; mission: { state: string } }>('select_toolkits', {
      missionId: id,
      toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear' }],
      coverage: [
        {
          toolkitId: 'github',
          status: 'ready',
          summary: '23 auth files, 127 tests, 82% coverage',
          metrics: { files_analyzed: 23, test_count: 127, coverage: 0.82 },
        },
        { toolkitId: 'linear', status: 'ready', summary: 'Team ENG found; follow-ups can be filed' },
      ],
    });
    // No connector inspected: the report waits for a person, and Jordan accepts it in Slack.
    expect(prepared).toMatchObject({ confirmed: false, mission: { state: 'preparing' } });
    await h.service.acceptReportedCoverage({ missionId: id }, JORDAN);
    expect(await h.ok('select_toolkits', { missionId: id })).toMatchObject({ confirmed: true, mission: { state: 'planning' } });

    // Plan & Approve: the assistant proposes three plays and asks for Play 1.
    h.clock.advance(6 * MINUTE);
    const proposed = await h.ok<{ proposed: string[]; plays: Array<{ id: string; title: string }> }>('propose_plays', {
      missionId: id,
      plays: [SEED_PLAY_1, SEED_PLAY_2, SEED_PLAY_3],
    });
    expect(proposed.proposed).toHaveLength(3);
    const play1 = proposed.plays.find((p) => proposed.proposed.includes(p.id) && p.title === SEED_PLAY_1.title)!;
    h.clock.advance(10 * MINUTE);
    const requested = await h.ok<{ status: string; approval: { required: number } }>('request_approval', {
      missionId: id,
      playId: play1.id,
      note: 'Automated PR will request code review before merge',
    });
    expect(requested).toMatchObject({ status: 'pending', approval: { required: 2 } });

    // Two people approve in Slack while the assistant waits.
    const waiting = h.call('wait_for_approval', { missionId: id, timeoutSeconds: 30 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    h.clock.advance(3 * MINUTE);
    await h.service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
    await h.service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);
    const approved = await waiting;
    expect(approved.structuredContent).toMatchObject({ status: 'approved', mission: { state: 'executing' } });

    // Execute & Observe: five phases with test runs; the CSRF phase raises a review_required alert.
    for (const phase of SEED_PHASES) {
      await h.ok('report_progress', { missionId: id, kind: 'phase_started', phaseId: phase.phaseId });
      for (const [stepId, durationMs, counts] of phase.steps) {
        h.clock.advance(durationMs);
        await h.ok('report_progress', { missionId: id, kind: 'step_completed', phaseId: phase.phaseId, stepId, durationMs, counts: counts ?? {} });
      }
      await h.ok('report_progress', {
        missionId: id,
        kind: 'test_run',
        phaseId: phase.phaseId,
        total: phase.tests!.total,
        passing: phase.tests!.total,
        coverage: phase.tests!.coverage,
        suite: 'vitest',
      });
      if (phase.phaseId === 'jwt_refresh_fix') {
        await h.ok('report_progress', {
          missionId: id,
          kind: 'validator_alert',
          phaseId: phase.phaseId,
          type: 'auto_fix',
          severity: 'low',
          description: 'Added exponential backoff for refresh retries',
        });
      }
      if (phase.phaseId === 'csrf_protection') {
        const alerted = await h.ok<{ alert: { id: string; type: string; status: string } }>('report_progress', {
          missionId: id,
          kind: 'validator_alert',
          phaseId: phase.phaseId,
          type: 'review_required',
          severity: 'medium',
          description: '/api/webhooks/stripe should be exempt from CSRF (webhook endpoint)',
        });
        expect(alerted.alert).toMatchObject({ type: 'review_required', status: 'open' });
        const held = await h.refused('report_progress', { missionId: id, kind: 'phase_completed', phaseId: phase.phaseId });
        expect(held.code).toBe('gate_failed');
        expect(held.text).toContain('/api/webhooks/stripe should be exempt from CSRF');
        // Jordan accepts the alert in Slack.
        await h.service.resolveAlert(
          { missionId: id, alertId: alerted.alert.id, outcome: 'accepted', note: 'Confirmed: webhooks are exempt; comment added in code' },
          JORDAN,
        );
      }
      if (phase.phaseId === 'testing_deployment') {
        for (const artifact of SEED_ARTIFACTS) {
          const { artifact: stored } = await h.ok<{ artifact: { sha256: string } }>('attach_evidence', { missionId: id, phaseId: phase.phaseId, ...artifact });
          const content = artifact.json !== undefined ? canonical(artifact.json) : (artifact.content ?? artifact.url ?? '');
          expect(stored.sha256).toBe(sha256(content));
        }
      }
      const completed = await h.ok<{ phase: { status: string; gate: { passed: boolean } } }>('report_progress', {
        missionId: id,
        kind: 'phase_completed',
        phaseId: phase.phaseId,
      });
      expect(completed.phase).toMatchObject({ status: 'completed', gate: { passed: true } });
      h.clock.advance(phase.minutes * MINUTE);
    }

    // The brief requires a code review recorded by a person: the assistant's word is not enough.
    const noReview = await h.refused('complete_mission', { missionId: id });
    expect(noReview.code).toBe('gate_failed');
    expect(noReview.text).toContain('Code review approved');
    await h.service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
    await signOffTruths(h.service, id);
    const done = await h.ok<{ mission: { state: string }; finalGate: { passed: boolean }; bundle: { artifactCount: number; manifestSha256: string } }>(
      'complete_mission',
      { missionId: id },
    );
    expect(done).toMatchObject({ mission: { state: 'reflecting' }, finalGate: { passed: true }, bundle: { artifactCount: 8 } });

    // Reflect & Improve: Jordan rates it in Slack; the assistant files a follow-up and the retrospective.
    await h.service.submitFeedback({ missionId: id, rating: 5, effortSavedHours: 14 }, JORDAN);
    await h.ok('add_follow_up', { missionId: id, title: 'Add rate limiting to login endpoint', priority: 'medium' });
    h.clock.advance(5 * MINUTE);
    const retro = await h.ok<{ mission: { state: string }; metrics: Record<string, number> }>('submit_retrospective', {
      missionId: id,
      wentWell: ['Validator caught the webhook exemption'],
      toImprove: ['Deeper Linear integration'],
    });
    expect(retro.mission.state).toBe('done');
    expect(retro.metrics).toMatchObject({ phasesCompleted: 5, stepsCompleted: 24, testsAfter: 172, coverageAfter: 0.92, reviewAlerts: 1, artifacts: 8 });

    // The documents, as resources.
    const read = async (suffix: string) => ((await h.client.readResource({ uri: `mission://${id}/${suffix}` })).contents[0] as { text: string }).text;
    const plan = await read('plan.md');
    expect(plan).toContain('status: approved');
    expect(plan).toContain('# Plan: Incremental Auth Hardening with Feature Flags');
    const summary = await read('summary.md');
    for (const phase of ['JWT Refresh Fix', 'Token Revocation', 'CSRF Protection', 'Error Handling Centralization', 'Testing & Deployment'])
      expect(summary).toContain(phase);
    const verification = await read('verification.md');
    expect(verification).toContain('status: human_needed');
    expect(verification).toContain(`OK: 8 artifacts match their recorded SHA-256 hashes; bundle manifest \`${done.bundle.manifestSha256}\` matches.`);
    const view = await h.ok<{ state: string; next: { steps: unknown[] } }>('get_mission', { missionId: id });
    expect(view).toMatchObject({ state: 'done', next: { steps: [] } });
    expect(textOf(await h.call('list_missions', { state: 'done' }))).toContain(id);

    // Everything the assistant did is on the record under its token, and the chain is intact.
    const events = await h.service.events({ missionId: id });
    expect(await h.service.verifyEventLog({ missionId: id })).toMatchObject({ ok: true, eventCount: events.length });
    expect(events.filter((e) => e.type === 'approval_granted').map((e) => e.actor.id)).toEqual([ADVISOR.id, SECURITY_LEAD.id]);
    expect(events.filter((e) => e.type === 'execution_step_completed').every((e) => e.actor.id === ASSISTANT.id)).toBe(true);
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function canonical(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}
