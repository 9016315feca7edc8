// SUMMARY.md in the GSD format: what was built phase by phase, test runs, alerts, deviations,
// commits, links, evidence, undo, follow-ups, feedback and the retrospective.
import { actorName } from '../actors.js';
import type { ArtifactRecord } from '../evidence.js';
import { deviationCount, type DeviationRule, type Execution, type StepReport, type TestRun, type ValidatorAlert } from '../execution.js';
import type { Mission } from '../mission.js';
import { evidenceStanding } from '../qualityGates.js';
import type { RetrospectiveMetrics } from '../reflection.js';
import { formatDuration, formatElapsed, formatMinutes } from '../text/durations.js';
import { plural } from '../text/englishLists.js';
import { percent } from '../text/numbers.js';
import { yamlFrontmatter, yamlLines } from './frontmatter.js';
import { code, heading, inline, link, md, quote, paragraph, render, table, type Block } from './markdown.js';
import { modelCostSection } from './modelCost.js';
import { overrideBlocks } from './overrides.js';
import {
  choosePlan,
  compareText,
  compareTime,
  followUpList,
  phaseLabel,
  phaseOfId,
  phaseOrder,
  phaseRows,
  sortAlerts,
  sortArtifacts,
  type PhaseRow,
} from './missionOutline.js';

export function summaryMarkdown(mission: Mission): string {
  const execution = mission.execution;
  if (!execution) return notStartedSummary(mission);
  const play = mission.plays.find((p) => p.id === execution.playId) ?? null;
  const phases = phaseRows(play, execution);
  const steps = phases.flatMap((row) => row.progress?.steps ?? []);
  const latestRun = latestTestRun(phases, () => true);
  const latestCoverage = latestTestRun(phases, (run) => run.coverage !== null)?.coverage ?? null;
  const executionTime = execution.completedAt ? formatElapsed(execution.startedAt, execution.completedAt) : 'in progress';

  const frontmatter = yamlFrontmatter({
    mission: mission.id,
    mission_version: mission.version,
    title: mission.title,
    play: execution.playId,
    state: mission.state,
    tags: mission.tags,
    started_at: execution.startedAt,
    completed_at: execution.completedAt,
    metrics: {
      phases_completed: phases.filter((row) => row.progress?.status === 'completed').length,
      phases_total: phases.length,
      steps_completed: steps.length,
      deviations: deviationCount(execution),
      tests_total: latestRun?.total ?? null,
      tests_passing: latestRun?.passing ?? null,
      coverage: latestCoverage,
      execution_time: executionTime,
    },
  });

  const blocks: Block[] = [
    frontmatter,
    heading(1, `Summary: ${mission.title}`),
    [
      `- Play: ${play ? inline(play.title) : "_not among the mission's plays_"} (${code(execution.playId)})`,
      `- Mission state: ${code(mission.state)}`,
      `- Execution: started ${inline(execution.startedAt)}${execution.completedAt ? `, completed ${inline(execution.completedAt)} (${inline(executionTime)})` : ', still in progress'}`,
    ],
    heading(2, 'What was built'),
    ...phases.flatMap((row) => phaseReport(row)),
    [
      `Final gate: ${execution.finalGate ? `${execution.finalGate.passed ? 'passed' : 'FAILED'} at ${inline(execution.finalGate.evaluatedAt)}` : 'not evaluated yet'}.`,
    ],
    ...overrideBlocks(mission),
    heading(2, 'Test runs'),
    testRunsTable(phases),
    heading(2, 'Validator alerts'),
    ...alertsSection(execution, phases),
    heading(2, 'Deviations'),
    ...deviationsSection(execution, phases),
    heading(2, 'Commits'),
    commitsList(phases),
    heading(2, 'Links'),
    linksList(mission.evidence.artifacts),
    heading(2, 'Evidence'),
    ...evidenceSection(mission, phases),
    heading(2, 'Undo'),
    undoSection(execution),
    heading(2, 'Follow-ups'),
    followUpList(mission.reflection.followUps, 'No follow-ups recorded.'),
    ...feedbackSection(mission),
    ...retrospectiveSection(mission),
    ...modelCostSection(mission),
  ];
  return render(blocks);
}

function notStartedSummary(mission: Mission): string {
  const choice = choosePlan(mission.plays);
  return render([
    yamlFrontmatter({
      mission: mission.id,
      mission_version: mission.version,
      title: mission.title,
      play: choice?.approved ? choice.play.id : null,
      state: mission.state,
      tags: mission.tags,
      execution: 'not_started',
    }),
    heading(1, `Summary: ${mission.title}`),
    [`Execution has not started: the mission is ${code(mission.state)}, so nothing has been built, tested or reported yet.`],
  ]);
}

function phaseReport(row: PhaseRow): Block[] {
  const progress = row.progress;
  const status = progress ? progress.status : 'not started';
  const blocks: Block[] = [heading(3, `Phase ${row.number}: ${row.name} (${status})${row.planned ? '' : ' [not in plan]'}`)];
  if (!progress) return [...blocks, ['_Nothing reported for this phase._']];

  const timing = [
    progress.startedAt ? `Started ${inline(progress.startedAt)}` : 'Not started',
    progress.completedAt
      ? `completed ${inline(progress.completedAt)}${progress.startedAt ? ` (${inline(formatElapsed(progress.startedAt, progress.completedAt))})` : ''}`
      : null,
  ].filter((s): s is string => s !== null);
  const gate = progress.gate ? `Gate: ${progress.gate.passed ? 'passed' : 'FAILED'} at ${inline(progress.gate.evaluatedAt)}.` : 'Gate: not evaluated.';
  blocks.push([`${timing.join(', ')}. ${gate}`]);
  if (progress.failureReason) blocks.push(paragraph(`Failure: ${progress.failureReason}`));

  blocks.push(
    progress.steps.length > 0
      ? table(
          ['Step', 'Duration', 'Counts'],
          progress.steps.map((step) => [
            md(`${inline(step.title)} (${code(step.stepId)})${step.inPlan ? '' : ' **not in plan**'}`),
            formatDuration(step.durationMs),
            formatCounts(step.counts),
          ]),
        )
      : ['_No steps reported._'],
  );
  const reportedIds = new Set(progress.steps.map((s) => s.stepId));
  const missing = (row.planned?.steps ?? []).filter((s) => !reportedIds.has(s.id));
  if (missing.length > 0) blocks.push([`Planned steps not reported: ${missing.map((s) => `${inline(s.title)} (${code(s.id)})`).join(', ')}.`]);
  return blocks;
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const keys = Object.keys(counts).sort(compareText);
  return keys.length > 0 ? keys.map((k) => `${k}: ${counts[k]}`).join(', ') : '-';
}

interface PlacedRun {
  row: PhaseRow;
  position: number;
  run: TestRun;
}

function testRunsInOrder(phases: readonly PhaseRow[]): PlacedRun[] {
  return phases.flatMap((row) => (row.progress?.testRuns ?? []).map((run, position) => ({ row, position, run })));
}

function latestTestRun(phases: readonly PhaseRow[], include: (run: TestRun) => boolean): TestRun | null {
  let latest: PlacedRun | null = null;
  for (const placed of testRunsInOrder(phases)) {
    // Later phase and later position win ties, so "latest" never depends on sort stability.
    if (include(placed.run) && (latest === null || compareTime(placed.run.at, latest.run.at) >= 0)) latest = placed;
  }
  return latest?.run ?? null;
}

function testRunsTable(phases: readonly PhaseRow[]): Block {
  const runs = testRunsInOrder(phases);
  if (runs.length === 0) return ['_No test runs reported._'];
  return table(
    ['Phase', 'Suite', 'At', 'Total', 'Passing', 'Failing', 'Coverage'],
    runs.map(({ row, run }) => [
      phaseLabel(row),
      run.suite ?? '-',
      run.at,
      String(run.total),
      String(run.passing),
      String(run.failing),
      run.coverage === null ? 'not measured' : percent(run.coverage),
    ]),
  );
}

function alertsSection(execution: Execution, phases: readonly PhaseRow[]): Block[] {
  const alerts = sortAlerts(execution.alerts, phases);
  const autoFixes = alerts.filter((a) => a.type === 'auto_fix');
  const reviews = alerts.filter((a) => a.type === 'review_required');
  return [
    heading(3, 'Auto-fixes applied'),
    autoFixes.length > 0
      ? table(
          ['Alert', 'Phase', 'Severity', 'Description', 'Status', 'Raised'],
          autoFixes.map((a) => [
            md(code(a.id)),
            phaseOfId(phases, a.phaseId),
            a.severity,
            a.description,
            md(alertStatusLabel(a)),
            `by ${actorName(a.raisedBy)} at ${a.raisedAt}`,
          ]),
        )
      : ['_None._'],
    heading(3, 'Review required'),
    reviews.length > 0
      ? table(
          ['Alert', 'Phase', 'Severity', 'Description', 'Status', 'Resolution'],
          reviews.map((a) => [md(code(a.id)), phaseOfId(phases, a.phaseId), a.severity, a.description, md(alertStatusLabel(a)), alertResolution(a)]),
        )
      : ['_None._'],
  ];
}

function alertStatusLabel(alert: ValidatorAlert): string {
  return alert.status === 'open' || alert.status === 'blocked' ? `**${alert.status.toUpperCase()}**` : inline(alert.status);
}

function alertResolution(alert: ValidatorAlert): string {
  if (!alert.resolution) return alert.status === 'open' ? 'OPEN: waiting for a person to resolve it' : '-';
  const r = alert.resolution;
  return `${r.outcome} by ${actorName(r.by)} at ${r.at}: ${r.note}`;
}

const DEVIATION_TYPES: Record<DeviationRule, string> = { 1: 'bug_fix', 2: 'missing_critical', 3: 'blocker', 4: 'architectural' };

function deviationsSection(execution: Execution, phases: readonly PhaseRow[]): Block[] {
  if (execution.deviations.length === 0) return [['None: the execution followed the approved play.']];
  const order = phaseOrder(phases);
  const deviations = [...execution.deviations].sort((a, b) => order(a.phaseId) - order(b.phaseId) || compareTime(a.at, b.at) || compareText(a.id, b.id));
  return deviations.flatMap((d) => [
    heading(3, `Rule ${d.rule}: ${d.description}`),
    [
      '```yaml',
      ...yamlLines({
        deviation: {
          rule: d.rule,
          type: DEVIATION_TYPES[d.rule],
          description: d.description,
          reason: d.reason,
          phase: d.phaseId,
          step: d.stepId,
          at: d.at,
        },
      }),
      '```',
    ],
  ]);
}

function commitsList(phases: readonly PhaseRow[]): Block {
  const byCommit = new Map<string, Array<{ step: StepReport; row: PhaseRow }>>();
  for (const row of phases) {
    for (const step of row.progress?.steps ?? []) {
      if (step.commit === null || step.commit.trim() === '') continue;
      const list = byCommit.get(step.commit) ?? [];
      list.push({ step, row });
      byCommit.set(step.commit, list);
    }
  }
  if (byCommit.size === 0) return ['_No commits reported._'];
  return table(
    ['Commit', 'Step', 'Phase'],
    [...byCommit].map(([commit, uses]) => [
      md(code(commit)),
      md(uses.map(({ step }) => `${inline(step.title)} (${code(step.stepId)})`).join('; ')),
      [...new Set(uses.map(({ row }) => phaseLabel(row)))].join('; '),
    ]),
  );
}

function linksList(artifacts: readonly ArtifactRecord[]): Block {
  const links = sortArtifacts(artifacts).filter((a) => a.kind === 'link' && a.url);
  return links.length > 0 ? links.map((a) => `- ${link(a.name, a.url!)}`) : ['_No links attached._'];
}

function evidenceSection(mission: Mission, phases: readonly PhaseRow[]): Block[] {
  const artifacts = sortArtifacts(mission.evidence.artifacts);
  const bundle = mission.evidence.bundle;
  return [
    artifacts.length > 0
      ? table(
          ['Artifact', 'Kind', 'SHA-256', 'Phase', 'Attached by', 'Attached at'],
          artifacts.map((a) => [
            a.name,
            a.kind,
            md(code(a.sha256.slice(0, 12))),
            a.phaseId ? phaseOfId(phases, a.phaseId) : '-',
            `${actorName(a.attachedBy)}${evidenceStanding(a) === 'reported' ? ' (reported by the assistant; not counted by the gates)' : ''}`,
            a.attachedAt,
          ]),
        )
      : ['_No evidence attached._'],
    bundle
      ? [`Bundle manifest SHA-256: ${code(bundle.manifestSha256)} (${plural(bundle.artifactCount, 'artifact')}, generated ${inline(bundle.generatedAt)}).`]
      : ['No evidence bundle has been generated.'],
  ];
}

function undoSection(execution: Execution): Block {
  const undo = execution.undo;
  const lines = [`Status: ${inline(undo.status)}.`];
  if (undo.requestedAt || undo.requestedBy) {
    lines.push(
      `Requested by ${undo.requestedBy ? inline(actorName(undo.requestedBy)) : 'unknown'} at ${undo.requestedAt ? inline(undo.requestedAt) : 'unknown time'}${undo.reason ? `: ${inline(undo.reason)}` : ''}.`,
    );
  }
  if (undo.stepsRun.length === 0) return [...lines, '', 'No undo steps have run.'];
  return [
    ...lines,
    '',
    ...undo.stepsRun.map(
      (s, i) =>
        `${i + 1}. ${inline(s.step)}: ${s.outcome === 'manual' ? 'manual (a person must carry it out)' : s.outcome}${s.detail ? `; ${inline(s.detail)}` : ''}`,
    ),
  ];
}

function feedbackSection(mission: Mission): Block[] {
  const feedback = mission.reflection.feedback;
  const library = mission.reflection.library;
  if (!feedback && !library) return [];
  const blocks: Block[] = [heading(2, 'Feedback')];
  if (feedback) {
    blocks.push([
      `- Rating: ${feedback.rating}/5, from ${inline(actorName(feedback.by))} at ${inline(feedback.at)}`,
      `- Effort saved: ${feedback.effortSavedHours === null ? 'not estimated' : plural(feedback.effortSavedHours, 'hour')}`,
    ]);
    if (feedback.comments) blocks.push(['Comments:'], quote(feedback.comments));
    if (feedback.suggestedImprovements) blocks.push(['Suggested improvements:'], quote(feedback.suggestedImprovements));
  }
  if (library) {
    blocks.push([
      `Added to the play library as ${code(library.entryId)} by ${inline(actorName(library.by))} at ${inline(library.at)} (reuse score ${library.reuseScore.toFixed(2)}; tags: ${library.tags.map(code).join(', ') || 'none'}).`,
    ]);
    if (library.note) blocks.push(quote(library.note));
  }
  return blocks;
}

const RETROSPECTIVE_ROWS: Array<[keyof RetrospectiveMetrics, string, 'number' | 'minutes' | 'percent']> = [
  ['durationMinutes', 'Duration', 'minutes'],
  ['phasesPlanned', 'Phases planned', 'number'],
  ['phasesCompleted', 'Phases completed', 'number'],
  ['stepsCompleted', 'Steps completed', 'number'],
  ['testsAdded', 'Tests added', 'number'],
  ['testsBefore', 'Tests before', 'number'],
  ['testsAfter', 'Tests after', 'number'],
  ['coverageBefore', 'Coverage before', 'percent'],
  ['coverageAfter', 'Coverage after', 'percent'],
  ['gatesPassed', 'Gates passed', 'number'],
  ['gatesEvaluated', 'Gates evaluated', 'number'],
  ['autoFixes', 'Auto-fixes', 'number'],
  ['reviewAlerts', 'Review alerts', 'number'],
  ['deviations', 'Deviations', 'number'],
  ['followUps', 'Follow-ups', 'number'],
  ['artifacts', 'Artifacts', 'number'],
];

function retrospectiveSection(mission: Mission): Block[] {
  const retro = mission.reflection.retrospective;
  if (!retro) return [];
  return [
    heading(2, 'Retrospective'),
    [`Logged by ${inline(actorName(retro.by))} at ${inline(retro.at)}.`],
    table(
      ['Metric', 'Value'],
      RETROSPECTIVE_ROWS.map(([key, label, format]) => {
        const value = retro.metrics[key];
        const shown = value === null ? 'not measured' : format === 'percent' ? percent(value) : format === 'minutes' ? formatMinutes(value) : String(value);
        return [label, shown];
      }),
    ),
    heading(3, 'Went well'),
    retro.wentWell.length > 0 ? retro.wentWell.map((s) => `- ${inline(s)}`) : ['_Nothing recorded._'],
    heading(3, 'To improve'),
    retro.toImprove.length > 0 ? retro.toImprove.map((s) => `- ${inline(s)}`) : ['_Nothing recorded._'],
  ];
}
