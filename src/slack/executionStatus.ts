// Live execution: the one status message the thread keeps updating. Phases with their steps
// (done, running, failed), test counts and coverage, gates, validator alerts and auto-fixes,
// deviations, evidence so far, and the undo bar with Rollback while execution runs.
import type { KnownBlock } from '@slack/types';
import {
  alertCounts,
  deviationCount,
  latestCoverage,
  phaseHistory,
  type Execution,
  type GateResult,
  type PhaseProgress,
  type TestRun,
  type ValidatorAlert,
} from '../domain/execution.js';
import { artifactCount } from '../domain/evidence.js';
import type { Mission } from '../domain/mission.js';
import { isTerminal } from '../domain/missionStateMachine.js';
import type { Play, PlayPhase } from '../domain/plays.js';
import { evidenceStanding, gateRequirements, latestReview, latestTestRun } from '../domain/qualityGates.js';
import { plural } from '../domain/text/englishLists.js';
import { percent } from '../domain/text/numbers.js';
import { formatDuration } from '../domain/text/durations.js';
import { overridableChecks } from './governanceModals.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS, type SlackMessage } from './blockKitLimits.js';
import { actions, button, context, fieldsSection, header, section } from './blocks.js';
import { ENDED_WORDS, fallbackText, link, safe, shortHash, slackDate, statusPointer, who } from './format.js';

const PHASE_MARK: Record<PhaseStatusShown, string> = { pending: '◻️', running: '🔄', stopped: '⏹️', completed: '✅', failed: '❌' };

/** A phase still marked running when the mission ended (cancelled, failed, rolled back) stopped there: it is not running any more. */
type PhaseStatusShown = PhaseProgress['status'] | 'stopped';
function shownStatus(phase: PhaseProgress, mission: Mission): PhaseStatusShown {
  return phase.status === 'running' && mission.state !== 'executing' ? 'stopped' : phase.status;
}

/** Why work left undone stays undone, once the mission is over ("the mission was cancelled"). */
function endedReason(mission: Mission): string {
  const ended = ENDED_WORDS[mission.state as keyof typeof ENDED_WORDS];
  return ended ? `the mission ${ended}` : `the mission is ${mission.state.replace('_', ' ')}`;
}

/** Blocks that are not phases: header, context, figures, validator, deviations, evidence, gate, person-owned gates (2), undo (2), overflow note. */
const FRAME_BLOCKS = 13;

export function executionStatus(mission: Mission): SlackMessage {
  const execution = mission.execution;
  if (!execution) {
    return {
      text: fallbackText(`Execution of ${mission.id} has not started.`),
      blocks: [section(`Execution of \`${mission.id}\` has not started: the mission is ${mission.state.replace('_', ' ')}.`)],
    };
  }
  const play = mission.plays.find((p) => p.id === execution.playId) ?? null;
  const title = play?.title ?? execution.playId;
  const completed = execution.phases.filter((p) => p.status === 'completed').length;
  const current = execution.phases.find((p) => p.status === 'running' || p.status === 'failed');
  // Each phase's latest runs: the last of them is the mission's latest run.
  const latest = latestTestRun(execution.phases.flatMap((p) => p.testRuns));
  const target = gateRequirements(mission.brief).coverageTarget;

  const blocks: KnownBlock[] = [
    header(`${HEADLINE[mission.state] ?? '🚀 Executing'}: ${title}`),
    context([
      `\`${mission.id}\` · started ${slackDate(execution.startedAt)} · ${completed} of ${plural(execution.phases.length, 'phase')} completed` +
        (execution.completedAt ? ` · ended ${slackDate(execution.completedAt)}` : ''),
    ]),
    fieldsSection(figures(execution, latest, target, mission)),
  ];

  const budget = LIMITS.messageBlocks - FRAME_BLOCKS;
  const phases = execution.phases.slice(0, budget);
  for (const phase of phases) blocks.push(section(phaseText(phase, play, execution, mission)));
  if (execution.phases.length > phases.length)
    blocks.push(context([`…and ${execution.phases.length - phases.length} more phases ${statusPointer(mission.id)}`]));

  const validator = validatorLines(execution, mission);
  if (validator.length > 0) {
    // The document keeps open alerts and the latest closed ones; the head says when older ones are left out.
    const raised = alertCounts(execution).raised;
    const head = raised > validator.length ? `*Validator* (${raised} alerts, the open and latest ${validator.length} shown)` : '*Validator*';
    blocks.push(section(fitLines(validator, LIMITS.text, { head, noun: 'alerts' }).text));
  }
  if (execution.deviations.length > 0) {
    const lines = execution.deviations.map((d) => `Rule ${d.rule} · ${phaseName(execution, d.phaseId)} · ${safe(d.description)} — ${safe(d.reason)}`);
    // The document keeps the latest deviations only; the head counts them all and says so.
    const total = deviationCount(execution);
    const head = total > lines.length ? `*Deviations from the play (${total}, the latest ${lines.length} shown)*` : `*Deviations from the play (${total})*`;
    blocks.push(section(fitLines(lines, LIMITS.text, { head, noun: 'deviations' }).text));
  }
  const artifacts = mission.evidence.artifacts;
  if (artifacts.length > 0) {
    const standing = {
      verified: ' · verified (GitHub or a person recorded it)',
      reported: ' · _reported by the assistant_ (not counted by the gates)',
    } as const;
    const lines = artifacts.map((a) => {
      const source = evidenceStanding(a);
      return `📎 ${link(a.url, a.name)} · \`${shortHash(a.sha256)}\`${source ? standing[source] : ''}`;
    });
    blocks.push(
      section(
        fitLines(lines, LIMITS.text, {
          head: `*Evidence${mission.state === 'executing' ? ' so far' : ''} (${artifactsHead(mission.evidence)})*`,
          noun: 'artifacts',
          pointer: statusPointer(mission.id),
        }).text,
      ),
    );
  }
  if (execution.finalGate) blocks.push(section(gateText('*Mission gate*', execution.finalGate)));
  blocks.push(...personGateBlocks(mission, execution));
  blocks.push(...undoBlocks(mission, execution, play));

  const now = current
    ? `phase ${current.index + 1}/${execution.phases.length} ${current.name} ${shownStatus(current, mission)}`
    : `${completed}/${execution.phases.length} phases completed`;
  const tests = latest ? `; ${latest.passing}/${latest.total} tests passing${latest.coverage !== null ? `, coverage ${percent(latest.coverage)}` : ''}` : '';
  return { text: fallbackText(`${HEADLINE[mission.state] ?? 'Executing'} “${title}” (${mission.id}): ${now}${tests}.`), blocks };
}

/**
 * The parts of the status message a person must see at once (editPace.ts): the mission's state,
 * each phase's status, failure and gate result, the mission gate, review alerts and their
 * outcome, gate overrides, the recorded code review and the undo bar. Steps, test runs, coverage,
 * auto-fixes, deviations and evidence only move progress along and are left out, so a change to
 * them alone waits for the progress interval. Buttons are compared by the projector itself.
 */
export function executionStatusHeadline(mission: Mission): unknown {
  const execution = mission.execution;
  if (!execution) return { state: mission.state };
  const gate = (g: GateResult | null) => g && { passed: g.passed, checks: g.checks.map((c) => [c.label, c.passed, Boolean(c.overridden)]) };
  const review = latestReview(mission.evidence.artifacts);
  return {
    state: mission.state,
    completedAt: execution.completedAt,
    phases: execution.phases.map((p) => [p.phaseId, shownStatus(p, mission), p.failureReason, gate(p.gate)]),
    finalGate: gate(execution.finalGate),
    reviewAlerts: execution.alerts.filter((a) => a.type === 'review_required').map((a) => [a.id, a.status]),
    overrides: (execution.gateOverrides ?? []).map((o) => [o.checkId, o.phaseId, o.at]),
    review: review ? [review.review!.state, review.attachedAt] : null,
    undo: execution.undo.status,
  };
}

const HEADLINE: Partial<Record<Mission['state'], string>> = {
  executing: '🚀 Executing',
  reflecting: '✅ Execution complete',
  done: '✅ Execution complete',
  rolled_back: '↩️ Rolled back',
  failed: '❌ Execution failed',
  cancelled: '🚫 Cancelled',
};

function figures(execution: Execution, latest: TestRun | null, target: number | null, mission: Mission): string[] {
  const coverage = latestCoverage(execution);
  const autoFixes = alertCounts(execution).byType.auto_fix;
  const open = execution.alerts.filter((a) => a.type === 'review_required' && a.status === 'open').length;
  return [
    `*Tests*\n${latest ? `${latest.passing}/${latest.total} passing${latest.failing > 0 ? ` · ❗ ${latest.failing} failing` : ''}` : 'no run reported yet'}`,
    `*Coverage*\n${coverage !== null ? percent(coverage) : 'not reported'}${target !== null ? ` (target ${percent(target)}${coverageMark(coverage, target, mission.state === 'executing')})` : ''}`,
    `*Review alerts*\n${open === 0 ? 'none open' : mission.state === 'executing' ? `⚠️ ${open} waiting for a person` : `${open} left open`}`,
    `*Auto-fixes*\n${autoFixes}`,
    `*Deviations*\n${deviationCount(execution)}`,
    `*Evidence*\n${plural(artifactCount(mission.evidence), 'artifact')}`,
  ];
}

/** Coverage is a mission KPI that climbs phase by phase, so a shortfall is flagged only once execution is over. */
function coverageMark(coverage: number | null, target: number, executing: boolean): string {
  if (coverage === null) return '';
  if (coverage >= target) return ' ✅';
  return executing ? '' : ' ❗';
}

function phaseName(execution: Execution, phaseId: string): string {
  return safe(execution.phases.find((p) => p.phaseId === phaseId)?.name ?? phaseId);
}

function phaseText(phase: PhaseProgress, play: Play | null, execution: Execution, mission: Mission): string {
  const n = execution.phases.length;
  const status = shownStatus(phase, mission);
  const when = phase.completedAt ? ` · done ${slackDate(phase.completedAt)}` : phase.startedAt ? ` · started ${slackDate(phase.startedAt)}` : '';
  const label = status === 'stopped' ? `stopped: ${endedReason(mission)}` : status === 'pending' && isTerminal(mission.state) ? 'not run' : status;
  let head = `${PHASE_MARK[status]} *[${phase.index + 1}/${n}] ${safe(phase.name)}* · ${label}${when}`;
  if (phase.failureReason) head += `\n❌ ${safe(phase.failureReason)}`;
  const run = latestTestRun(phase.testRuns);
  if (run)
    head += `\n🧪 ${run.failing > 0 ? `${run.failing} of ${run.total} failing` : `${run.passing}/${run.total} passing`}${run.coverage !== null ? ` · coverage ${percent(run.coverage)}` : ''}`;
  if (phase.gate) head += `\n${gateSummary(phase.gate)}`;
  const planned = play?.phases.find((p) => p.id === phase.phaseId) ?? null;
  if (phase.status === 'pending') return `${head} · ${plural(planned?.steps.length ?? 0, 'step')}`;
  const { lines, focus } = stepLines(phase, planned, status === 'stopped' ? endedReason(mission) : null);
  return fitAround(lines, focus, head);
}

/**
 * Planned steps in plan order (done, running or failed, pending), then extra steps the executor
 * added (the latest ones; older ones counted); `stopped` says why a running phase will not go on.
 */
function stepLines(phase: PhaseProgress, planned: PlayPhase | null, stopped: string | null): { lines: string[]; focus: number } {
  const history = phaseHistory(phase);
  const reported = new Map(history.plannedStepReports.map((s) => [s.stepId, s]));
  const lines: string[] = [];
  let focus = -1;
  for (const step of planned?.steps ?? []) {
    const done = reported.get(step.id);
    if (done) {
      lines.push(`   ✓ ${safe(done.title)} (${formatDuration(done.durationMs)})${countsText(done.counts)}`);
    } else if (focus === -1 && (phase.status === 'running' || phase.status === 'failed')) {
      focus = lines.length;
      // Executors report steps when done, so the first unreported step is the one in progress, or where a failed phase stopped.
      lines.push(
        stopped
          ? `   ⏹️ ${safe(step.title)} — not done: ${stopped}`
          : phase.status === 'running'
            ? `   🔄 ${safe(step.title)} — running`
            : `   ❌ ${safe(step.title)} — not done: the phase failed here`,
      );
    } else {
      lines.push(`   ◻️ ${safe(step.title)}`);
    }
  }
  const extras = phase.steps.filter((s) => !s.inPlan);
  if (history.extraStepCount > extras.length) lines.push(`   ➕ ${plural(history.extraStepCount - extras.length, 'earlier step')} not in the play`);
  for (const extra of extras) lines.push(`   ➕ ${safe(extra.title)} (${formatDuration(extra.durationMs)}, not in the play)`);
  return { lines, focus };
}

function countsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '' : ` · ${entries.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ')}`;
}

/** Fits step lines in a section; when they do not all fit, keeps the running or failed step in view. */
function fitAround(lines: string[], focus: number, head: string): string {
  const all = fitLines(lines, LIMITS.text, { head, noun: 'steps' });
  if (all.omitted === 0 || focus < 0 || focus < all.shown) return all.text;
  return fitLines([`   ✓ …${plural(focus, 'earlier step')}`, ...lines.slice(focus)], LIMITS.text, { head, noun: 'steps' }).text;
}

function gateSummary(gate: GateResult): string {
  const overridden = gate.checks.filter((c) => c.overridden);
  if (gate.passed && overridden.length > 0) return `Gate ✅ with ⚠️ ${overridden.length} overridden: ${overridden.map((c) => c.label).join(', ')}`;
  if (gate.passed) return `Gate ✅ ${gate.checks.map((c) => c.label).join(', ')}`;
  return `Gate ❌ ${gate.checks
    .filter((c) => !c.passed)
    .map((c) => `${c.label}: ${safe(c.detail)}`)
    .join('; ')}`;
}

function gateText(title: string, gate: GateResult): string {
  const lines = gate.checks.map((c) =>
    c.overridden
      ? `⚠️ ${c.label} — OVERRIDDEN by ${who(c.overridden.by)}: ${safe(c.overridden.reason)} (found: ${safe(c.detail)})`
      : `${c.passed ? '✅' : '❌'} ${c.label} — ${safe(c.detail)}`,
  );
  const overridden = gate.checks.some((c) => c.overridden);
  return fitLines(lines, LIMITS.text, {
    head: `${title} ${gate.passed ? (overridden ? '✅ passed with overrides' : '✅ passed') : '❌ failed'}`,
    noun: 'checks',
  }).text;
}

function validatorLines(execution: Execution, mission: Mission): string[] {
  return execution.alerts.map((a) => alertLine(a, execution, mission));
}

function alertLine(a: ValidatorAlert, execution: Execution, mission: Mission): string {
  const where = phaseName(execution, a.phaseId);
  if (a.type === 'auto_fix') return `🔧 Auto-fix applied (${where}): ${safe(a.description)}`;
  const base = `(${where}, ${a.severity}): ${safe(a.description)}`;
  switch (a.status) {
    case 'open':
      return mission.state === 'executing'
        ? `⚠️ Review required ${base} — waiting for a person (Resolve or Block in the thread)`
        : `⚠️ Review required ${base} — left open: ${endedReason(mission)}`;
    case 'resolved':
      return `✔️ Review accepted ${base} — by ${a.resolution ? who(a.resolution.by) : 'a person'}${a.resolution ? `: ${safe(a.resolution.note)}` : ''}`;
    case 'blocked':
      return `⛔ Blocked ${base} — by ${a.resolution ? who(a.resolution.by) : 'a person'}${a.resolution ? `: ${safe(a.resolution.note)}` : ''}`;
    case 'applied':
      return `🔧 Applied ${base}`;
  }
}

/** The undo bar: present with Rollback while executing; a record of what ran after a rollback; gone after completion. */
function undoBlocks(mission: Mission, execution: Execution, play: Play | null): KnownBlock[] {
  const undo = execution.undo;
  const steps = play?.undoPlan.steps ?? [];
  if (mission.state === 'executing' && undo.status === 'available') {
    const lines = steps.map((s, i) => `${i + 1}. ${safe(s)}`);
    return [
      section(
        fitLines(lines, LIMITS.text, { head: `↩️ *Undo available* — ${safe(play?.undoPlan.summary ?? 'the approved undo plan')}`, noun: 'undo steps' }).text,
      ),
      actions(`undo_${mission.id}`, [
        button({ text: 'Rollback', actionId: ACTION_IDS.rollback, value: { missionId: mission.id, playId: execution.playId }, style: 'danger' }),
      ]),
    ];
  }
  if (undo.status === 'executed') {
    const mark = { done: '✅', failed: '❌', manual: '✋' } as const;
    const lines = undo.stepsRun.map((s) => `${mark[s.outcome]} ${safe(s.step)}${s.detail ? ` — ${safe(s.detail)}` : ''}`);
    const head = `↩️ *Rolled back* by ${undo.requestedBy ? who(undo.requestedBy) : 'someone'}${undo.requestedAt ? ` ${slackDate(undo.requestedAt)}` : ''}: ${safe(undo.reason ?? '')}`;
    return [section(fitLines(lines, LIMITS.text, { head, noun: 'undo steps' }).text)];
  }
  return [];
}

/**
 * What people own in the gates: the code review (recorded in Slack, counted as a person's) and
 * checks an approver overrode. While executing: Approve review / Request changes, and Override
 * gate when a check of the mission gate fails.
 */
function personGateBlocks(mission: Mission, execution: Execution): KnownBlock[] {
  const requirements = gateRequirements(mission.brief);
  const review = latestReview(mission.evidence.artifacts);
  const overrides = execution.gateOverrides ?? [];
  const executing = mission.state === 'executing';
  const failing = executing ? overridableChecks(mission) : [];
  if (!requirements.codeReviewRequired && !review && overrides.length === 0 && failing.length === 0) return [];
  const lines: string[] = [];
  if (review) {
    const state = review.review!.state === 'approved' ? '✅ approved' : '✋ changes requested';
    lines.push(`Code review: ${state} by ${safe(review.review!.reviewer)} ${slackDate(review.attachedAt)}`);
  } else if (requirements.codeReviewRequired) {
    lines.push('Code review: ⏳ required by the brief, none recorded yet');
  }
  for (const o of overrides) {
    const scope = o.phaseId ? `phase ${phaseName(execution, o.phaseId)}` : 'mission gate';
    lines.push(`⚠️ OVERRIDDEN (${scope}): ${CHECK_LABELS[o.checkId] ?? o.checkId} by ${who(o.by)} ${slackDate(o.at)}: ${safe(o.reason)}`);
  }
  if (failing.length > 0 && lines.length === 0)
    lines.push(
      `Gate checks failing now: ${failing.map((f) => (f.phaseId ? `${phaseName(execution, f.phaseId)}: ${f.check.label}` : f.check.label)).join(', ')}`,
    );
  const blocks: KnownBlock[] = [section(fitLines(lines, LIMITS.text, { head: '*Gates a person owns*', noun: 'entries' }).text)];
  if (executing) {
    const value = { missionId: mission.id };
    blocks.push(
      actions(`person_gates_${mission.id}`, [
        button({ text: 'Approve review', actionId: ACTION_IDS.reviewApproveOpen, value: { ...value, decision: 'approved' } }),
        button({ text: 'Request changes', actionId: ACTION_IDS.reviewChangesOpen, value: { ...value, decision: 'changes_requested' } }),
        ...(failing.length > 0 ? [button({ text: 'Override gate', actionId: ACTION_IDS.gateOverrideOpen, value })] : []),
      ]),
    );
  }
  return blocks;
}

const CHECK_LABELS: Partial<Record<string, string>> = {
  tests_reported: 'Tests reported',
  tests_passing: 'All tests passing',
  coverage_target: 'Coverage target',
  no_open_review_alerts: 'No open review alerts',
  code_review: 'Code review approved',
  ci_checks: 'CI checks passing',
  all_phases_completed: 'All phases completed',
};

/** The evidence count for a list's head; the document keeps the latest artifacts (and those the gates read), so a longer history says how many are shown. */
export function artifactsHead(evidence: Mission['evidence']): string {
  const total = artifactCount(evidence);
  return total > evidence.artifacts.length ? `${total}, ${evidence.artifacts.length} shown` : `${total}`;
}
