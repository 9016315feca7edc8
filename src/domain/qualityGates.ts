// Quality gates: what must be true before a phase, and then the mission, counts as done.
// The requirements come from the locked brief; every check says what it found or what is
// missing, and a gate passes only when every check does.
import { chipOf, type Brief } from './brief.js';
import type { ArtifactRecord } from './evidence.js';
import { latestCoverage, type Execution, type GateCheck, type GateOverride, type GateResult, type PhaseProgress, type TestRun } from './execution.js';
import { plural } from './text/englishLists.js';
import { percent } from './text/numbers.js';

export interface GateRequirements {
  /** The brief asks for passing tests ("All tests must pass", "All tests passing"). */
  testsRequired: boolean;
  /** Coverage target from a KPI such as "test coverage ≥90%", as 0..1. */
  coverageTarget: number | null;
  /** A safeguard asks for code review. */
  codeReviewRequired: boolean;
  /** The brief asks for CI or checks to pass. */
  ciRequired: boolean;
}

export function gateRequirements(brief: Brief): GateRequirements {
  const criteria = chipOf(brief, 'acceptance_criteria')?.items ?? [];
  const safeguards = chipOf(brief, 'safeguards')?.items ?? [];
  const kpis = chipOf(brief, 'kpis')?.items ?? [];
  const all = [...criteria, ...safeguards, ...kpis];
  return {
    testsRequired: all.some((s) => /\btests?\b[^.]*\bpass/i.test(s) || /\bpassing tests\b/i.test(s)),
    coverageTarget: coverageTargetOf(kpis) ?? coverageTargetOf([...criteria, ...safeguards]),
    codeReviewRequired: safeguards.some((s) => /\bcode reviews?\b|\breview(ed)? (required|by)\b|\brequires? (a )?review\b/i.test(s)),
    ciRequired: all.some((s) => /\b(ci|checks?|pipeline)\b[^.]*\b(pass|green)/i.test(s)),
  };
}

function coverageTargetOf(items: readonly string[]): number | null {
  for (const item of items) {
    const match = /coverage[^0-9%]*?(\d{1,3}(?:\.\d+)?)\s*%/i.exec(item);
    if (match) return Math.min(Number(match[1]), 100) / 100;
  }
  return null;
}

export function latestTestRun(runs: readonly TestRun[]): TestRun | null {
  return runs.length > 0 ? runs[runs.length - 1]! : null;
}

function testChecks(phaseName: string, runs: readonly TestRun[], req: GateRequirements): GateCheck[] {
  const latest = latestTestRun(runs);
  if (!latest) {
    return req.testsRequired
      ? [
          {
            id: 'tests_reported',
            label: 'Tests reported',
            passed: false,
            detail: `No test run was reported for ${phaseName}. Run the suite and report the result (total, passing, coverage).`,
          },
        ]
      : [];
  }
  const passed = latest.failing === 0 && latest.passing === latest.total;
  return [
    {
      id: 'tests_passing',
      label: 'All tests passing',
      passed,
      detail: passed
        ? `${latest.passing}/${latest.total} passing`
        : `${latest.failing} of ${latest.total} tests failing in the latest run. Fix them and report a new run.`,
    },
  ];
}

/** `coverage`: the latest measured anywhere in the execution (`latestCoverage`), however old the run. */
function coverageCheck(coverage: number | null, target: number): GateCheck {
  if (coverage === null) {
    return {
      id: 'coverage_target',
      label: `Coverage ≥ ${percent(target)}`,
      passed: false,
      detail: 'No coverage was reported. Report a test run with coverage.',
    };
  }
  const passed = coverage >= target;
  return {
    id: 'coverage_target',
    label: `Coverage ≥ ${percent(target)}`,
    passed,
    detail: passed
      ? `${percent(coverage)} measured`
      : `${percent(coverage)} measured, below the ${percent(target)} target in the brief's KPIs. Add tests and report a new run.`,
  };
}

function alertCheck(execution: Execution, phaseId: string | null): GateCheck {
  const open = execution.alerts.filter(
    (a) => a.type === 'review_required' && (a.status === 'open' || a.status === 'blocked') && (phaseId === null || a.phaseId === phaseId),
  );
  return {
    id: 'no_open_review_alerts',
    label: 'No open review alerts',
    passed: open.length === 0,
    detail:
      open.length === 0
        ? 'none open'
        : open.map((a) => `${a.status === 'blocked' ? 'blocked' : 'waiting for a person to resolve'}: ${a.description} (${a.severity})`).join('; '),
  };
}

/**
 * The gate of one phase: its latest test run passes (and exists, if the brief asks for tests)
 * and no review alert of the phase is open. Coverage is a mission KPI, so it is checked on
 * the play's last phase and at completion only: earlier phases may climb towards it
 * (seed 000: 87%, 88%, 90%, 92%).
 */
export function evaluatePhaseGate(execution: Execution, phase: PhaseProgress, req: GateRequirements, at: string): GateResult {
  const isLast = phase.index === execution.phases.length - 1;
  const checks: GateCheck[] = [
    ...testChecks(`phase "${phase.name}"`, phase.testRuns, req),
    ...(isLast && req.coverageTarget !== null ? [coverageCheck(latestCoverage(execution), req.coverageTarget)] : []),
    alertCheck(execution, phase.phaseId),
  ];
  return gateResult('phase', phase.phaseId, withOverrides(checks, execution.gateOverrides ?? [], phase.phaseId), at);
}

/** A review counts only when a person or a connector recorded it: an assistant cannot vouch for its own review. */
export function countsAsReview(artifact: ArtifactRecord): boolean {
  return artifact.review?.state === 'approved' && artifact.attachedBy.kind !== 'mcp_token';
}

/** The latest approving or change-requesting review a person or a connector recorded; it decides the code-review check. */
export function latestReview(artifacts: readonly ArtifactRecord[]): ArtifactRecord | null {
  for (let i = artifacts.length - 1; i >= 0; i--) {
    const a = artifacts[i]!;
    if (a.attachedBy.kind !== 'mcp_token' && (a.review?.state === 'approved' || a.review?.state === 'changes_requested')) return a;
  }
  return null;
}

/**
 * Failing checks an approver overrode count towards the gate, marked `overridden` so every
 * surface says so; a check that passes on its own keeps its pass.
 */
function withOverrides(checks: GateCheck[], overrides: readonly GateOverride[], phaseId: string | null): GateCheck[] {
  return checks.map((check) => {
    const override = overrides.find((o) => o.checkId === check.id && o.phaseId === phaseId);
    if (check.passed || !override) return check;
    return { ...check, passed: true, overridden: { by: override.by, reason: override.reason, at: override.at } };
  });
}

function gateResult(scope: GateResult['scope'], phaseId: string | null, checks: GateCheck[], at: string): GateResult {
  return { scope, phaseId, passed: checks.every((c) => c.passed), checks, evaluatedAt: at };
}

/** The mission-level gate checked at completion. */
export function evaluateFinalGate(execution: Execution, artifacts: readonly ArtifactRecord[], req: GateRequirements, at: string): GateResult {
  const incomplete = execution.phases.filter((p) => p.status !== 'completed');
  // Each phase's latest runs: the last of them is the mission's latest run.
  const allRuns = execution.phases.flatMap((p) => p.testRuns);
  const checks: GateCheck[] = [
    {
      id: 'all_phases_completed',
      label: 'All phases completed',
      passed: incomplete.length === 0,
      detail:
        incomplete.length === 0
          ? `${execution.phases.length} of ${execution.phases.length} completed`
          : `not completed: ${incomplete.map((p) => `${p.name} (${p.status})`).join(', ')}`,
    },
    ...testChecks('the mission', allRuns, req),
    ...(req.coverageTarget !== null ? [coverageCheck(latestCoverage(execution), req.coverageTarget)] : []),
    alertCheck(execution, null),
  ];
  if (req.codeReviewRequired) {
    const review = latestReview(artifacts);
    const assistantOnly = artifacts.some((a) => a.review?.state === 'approved' && a.attachedBy.kind === 'mcp_token');
    checks.push({
      id: 'code_review',
      label: 'Code review approved',
      passed: review?.review?.state === 'approved',
      detail: review
        ? review.review!.state === 'approved'
          ? `approved by ${review.review!.reviewer} (${review.name})`
          : `changes requested by ${review.review!.reviewer} (${review.name}); a new approving review is needed.`
        : assistantOnly
          ? 'A review was attached by an assistant; the brief requires a review recorded by a person or the GitHub connector. A person records theirs with "Approve review" in the mission thread.'
          : 'The brief requires code review, recorded by a person ("Approve review" in the mission thread) or by the GitHub connector (link the pull request so its approved review is read from GitHub). A review attached by an assistant does not count.',
    });
  }
  const checked = latestCheckSnapshots(artifacts);
  const reported = assistantReportedChecks(artifacts);
  // Checks only an assistant reported neither open nor shut a gate the brief does not ask for; where it does, they do not count.
  if (req.ciRequired || checked.length > 0) {
    const failing = checked.flatMap((a) =>
      a.checks!.filter((c) => c.conclusion === 'failure' || c.conclusion === 'pending').map((c) => `${c.name} (${c.conclusion})`),
    );
    const passed = checked.length > 0 && failing.length === 0;
    const reportedNote =
      reported.length > 0
        ? ` Reported by the assistant, not counted: ${plural(reported.flatMap((a) => a.checks!).length, 'check')} on ${reported.map((a) => a.name).join(', ')}.`
        : '';
    checks.push({
      id: 'ci_checks',
      label: 'CI checks passing',
      passed,
      detail:
        checked.length === 0
          ? `No check results reported by GitHub yet (a webhook delivery, or the GitHub connector reading the linked pull request).${reportedNote}`
          : passed
            ? `${plural(checked.flatMap((a) => a.checks!).length, 'check')} passing, as GitHub reported`
            : `not passing: ${failing.join(', ')}.${reportedNote}`,
    });
  }
  return gateResult('mission', null, withOverrides(checks, execution.gateOverrides ?? [], null), at);
}

/**
 * Check results GitHub reported (the connector attached them, from a webhook or the API), per
 * source: a pull request's picture is refreshed as its checks finish, so only the latest one of
 * each URL counts (an early "pending" must not hold the gate shut; a new head with no checks yet
 * replaces the old head's passing ones). Checks an assistant attached never count.
 */
export function latestCheckSnapshots(artifacts: readonly ArtifactRecord[]): ArtifactRecord[] {
  const latest = new Map<string, ArtifactRecord>();
  for (const artifact of artifacts) if (artifact.checks && artifact.attachedBy.kind !== 'mcp_token') latest.set(artifact.url ?? artifact.id, artifact);
  return [...latest.values()].filter((a) => a.checks!.length > 0);
}

/**
 * How an artifact's checks or review stand for the gates: `verified` when GitHub (a connector) or
 * a person recorded them, `reported` when an assistant attached them (kept, shown, never counted);
 * null for artifacts that carry neither.
 */
export function evidenceStanding(artifact: ArtifactRecord): 'verified' | 'reported' | null {
  if (!(artifact.checks && artifact.checks.length > 0) && !artifact.review) return null;
  return artifact.attachedBy.kind === 'mcp_token' ? 'reported' : 'verified';
}

/** Check results an assistant attached itself: kept and shown as "reported by the assistant", never counted. */
export function assistantReportedChecks(artifacts: readonly ArtifactRecord[]): ArtifactRecord[] {
  return artifacts.filter((a) => a.attachedBy.kind === 'mcp_token' && a.checks && a.checks.length > 0);
}

/** One line naming what a failed gate is missing, for errors and status messages. */
export function explainGate(gate: GateResult): string {
  const failed = gate.checks.filter((c) => !c.passed);
  return failed.map((c) => `${c.label}: ${c.detail}`).join(' ');
}
