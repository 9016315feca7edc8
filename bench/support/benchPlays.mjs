// The plays, people and reports the benchmarks use. Intents and plays name no risky area
// (src/domain/riskAreas.ts), so a low-risk play needs no approval and an assistant alone can take a
// mission to execution over MCP; the medium-risk play waits for BENCH_APPROVER.
export const ASSISTANT = { kind: 'mcp_token', id: 'bench', onBehalfOf: 'U0BENCH' };
export const PERSON = { kind: 'slack_user', id: 'U0BENCH', name: 'Bench Person' };
export const APPROVER = { kind: 'slack_user', id: 'U0ADVISOR', name: 'Bench Approver' };
/** The policy every benchmark database stores: low risk needs nobody, medium and above one approver. */
export const POLICY_ENV = { SLACK_APPROVERS: APPROVER.id, APPROVALS_REQUIRED: 'low:0,medium:1,high:1,critical:1' };
export const CHANNEL = 'C0BENCH';

const PHASES = [
  { id: 'collect_cases', name: 'Collect the failing cases', steps: ['list_reports', 'reproduce_timeouts', 'write_fixture', 'record_baseline'] },
  { id: 'stream_rows', name: 'Stream the rows', steps: ['add_cursor', 'stream_writer', 'backpressure', 'write_unit_tests'] },
  { id: 'verify_exports', name: 'Verify the exports', steps: ['compare_outputs', 'large_account_run', 'update_docs', 'open_pull_request'] },
];

function play(title, risk) {
  return {
    title,
    rationale: 'Small, reversible steps, each checked by the existing export tests.',
    confidence: 0.8,
    phases: PHASES.map((p) => ({ id: p.id, name: p.name, steps: p.steps.map((s) => ({ id: s, title: s.replaceAll('_', ' ') })) })),
    undoPlan: { summary: 'Revert the pull request', steps: ['Close the PR'] },
    risk,
    estimatedDurationMinutes: 45,
  };
}

export const BENCH_PLAY = play('Stream the export in pages', { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong' });
export const REVIEWED_PLAY = play('Rewrite the export writer', { complexity: 'medium', impact: 'medium', reversibility: 'medium', testCoverage: 'moderate' });
export const BENCH_PHASES = PHASES;

/** Intents the seeded missions vary over, so text filters match a fraction of them. */
export const INTENTS = [
  'The nightly CSV export times out for customers with more than 50k orders',
  'Add a dark mode toggle to the settings page',
  'Speed up the weekly report email so it renders in under a second',
  'Keep the PDF report layout stable when a table row wraps',
  'Show upload progress for large attachments in the editor',
  'Make the search box remember the last three queries',
];

/**
 * The reports one mission receives, in order: steps, test runs, validator auto-fixes, usage,
 * deviations and evidence, and (when `transitions`) the next phase every 36 reports. Every report
 * is one a real executor could send at that point, so the product accepts all of them.
 */
const CYCLE = ['step', 'step', 'test_run', 'step', 'alert', 'step', 'usage', 'test_run', 'evidence', 'step', 'deviation', 'test_run'];
const PHASE_LENGTH = CYCLE.length * 3;

export class MixedReports {
  #missions = new Map();

  /** A mission in execution with phase `phase` (index into BENCH_PHASES) running. */
  add(missionId, phase = 0) {
    this.#missions.set(missionId, { phase, k: 0, starting: false });
  }

  /** The next MCP tool call for this mission: { name, arguments, kind }. */
  next(missionId, { transitions = true } = {}) {
    const s = this.#missions.get(missionId);
    if (!s) throw new Error(`mission ${missionId} is not in the workload`);
    const phase = PHASES[s.phase];
    if (s.starting) {
      s.starting = false;
      return report('phase_started', { missionId, kind: 'phase_started', phaseId: phase.id });
    }
    const k = s.k++;
    if (transitions && k > 0 && k % PHASE_LENGTH === 0 && s.phase < PHASES.length - 1) {
      s.phase += 1;
      s.starting = true;
      return report('phase_completed', { missionId, kind: 'phase_completed', phaseId: phase.id });
    }
    const step = phase.steps[k % phase.steps.length];
    switch (CYCLE[k % CYCLE.length]) {
      case 'step':
        return report('step_completed', {
          missionId,
          kind: 'step_completed',
          phaseId: phase.id,
          stepId: step,
          durationMs: 1200 + (k % 7) * 300,
          counts: { files_changed: 1 + (k % 4) },
        });
      case 'test_run':
        return report('test_run', {
          missionId,
          kind: 'test_run',
          phaseId: phase.id,
          total: 160 + (k % 9),
          passing: 160 + (k % 9),
          coverage: 0.92,
          suite: 'vitest',
        });
      case 'alert':
        return report('validator_alert', {
          missionId,
          kind: 'validator_alert',
          phaseId: phase.id,
          type: 'auto_fix',
          severity: 'low',
          description: `Normalised line endings in fixture ${k}`,
        });
      case 'usage':
        return report('usage', { missionId, kind: 'usage', model: 'claude-sonnet-4-5', inputTokens: 12_000, outputTokens: 3_400, costUsd: 0.087 });
      case 'deviation':
        return report('deviation', {
          missionId,
          kind: 'deviation',
          phaseId: phase.id,
          stepId: step,
          rule: 1,
          reason: 'The fixture was stale',
          description: `Regenerated fixture ${k}`,
        });
      case 'evidence':
        return {
          kind: 'evidence',
          name: 'attach_evidence',
          arguments: { missionId, phaseId: phase.id, name: `Test log ${k}`, kind: 'markdown', content: `# Test log ${k}\n\n${160 + (k % 9)} tests passed.\n` },
        };
      default:
        throw new Error('unreachable');
    }
  }
}

function report(kind, args) {
  return { kind, name: 'report_progress', arguments: args };
}
