// Markdown exports of a mission in the GSD artifact formats (PLAN.md, SUMMARY.md,
// VERIFICATION.md): pure functions of mission state. No clock and no randomness: every
// timestamp printed comes from the mission, so the same state always gives the same text.
import type { Actor } from './actors.js';
import { approvalsGiven, type ApprovalRequest } from './approvalPolicy.js';
import { chipOf, type Brief, type ChipKind } from './brief.js';
import type { ArtifactRecord, EvidenceVerification } from './evidence.js';
import type { DeviationRule, Execution, GateResult, PhaseProgress, StepReport, TestRun, ValidatorAlert } from './execution.js';
import type { Mission } from './mission.js';
import { safeguardCoverage, type Play, type PlayPhase } from './plays.js';
import type { FollowUp, FollowUpPriority, RetrospectiveMetrics } from './reflection.js';

export type VerificationStatus = 'PASS' | 'GAPS_FOUND';

export interface VerificationOptions {
  /** Result of `verifyEvidence` over the stored artifact contents; without it integrity is reported as not checked. */
  evidence?: EvidenceVerification;
}

// ---------------------------------------------------------------------------------------------
// PLAN.md

export function planMarkdown(mission: Mission): string {
  const choice = choosePlan(mission.plays);
  if (!choice) return noPlanDocument(mission);
  const { play, approved } = choice;
  const preview = play.codeChangePreview;

  const frontmatter = yamlFrontmatter({
    mission: mission.id,
    mission_version: mission.version,
    title: mission.title,
    play: play.id,
    status: approved ? 'approved' : 'draft',
    risk_level: play.riskLevel,
    phases: play.phases.length,
    estimated_duration_minutes: play.estimatedDurationMinutes,
    files_modified: preview ? preview.files : [],
    // Every mission waits on people (approvals, review alerts), so no plan runs unattended.
    autonomous: false,
    must_haves: {
      observable_truths: play.mustHaves.truths,
      required_artifacts: play.mustHaves.artifacts,
      required_wiring: play.mustHaves.keyLinks,
    },
  });

  const ranked = sortPlaysByRank(mission.plays);
  const blocks: Block[] = [
    frontmatter,
    heading(1, `Plan: ${play.title}`),
    draftNotice(choice, ranked.length),
    [
      `Mission ${code(mission.id)} · play ${code(play.id)} · rank ${play.rank} of ${ranked.length} · confidence ${play.confidence.toFixed(2)} · ` +
        `source ${play.source} · ${plural(play.libraryMatchCount, 'similar play')} in the library · proposed by ${inline(actorName(play.proposedBy))} at ${inline(play.proposedAt)}`,
    ],
    heading(2, 'Objective'),
    chipList(mission.brief, 'objective', 'The brief has no objective.'),
    timelineLine(mission.brief),
    heading(2, 'Scope'),
    chipList(mission.brief, 'scope', 'The brief names no technical scope.'),
    heading(2, 'Rationale'),
    paragraph(play.rationale),
    heading(2, 'Phases'),
    [`${plural(play.phases.length, 'phase')}, estimated ${formatMinutes(play.estimatedDurationMinutes)}.`],
    ...play.phases.flatMap((phase, i) => phaseTasks(phase, i + 1)),
    heading(2, 'Safeguards enforced'),
    safeguardsSection(play, mission.brief),
    heading(2, 'Risk matrix'),
    riskTable(play),
    play.risk.notes ? paragraph(`Notes: ${play.risk.notes}`) : [],
    ...(preview ? [heading(2, 'Code change preview'), codePreview(preview)] : []),
    heading(2, 'Undo plan'),
    paragraph(play.undoPlan.summary),
    play.undoPlan.steps.length > 0 ? play.undoPlan.steps.map((step, i) => `${i + 1}. ${inline(step)}`) : ['_The undo plan lists no steps._'],
    heading(2, 'Verification criteria'),
    checklist(chipOf(mission.brief, 'acceptance_criteria')?.items ?? [], 'The brief has no acceptance criteria.'),
    ...kpiSection(mission.brief),
    heading(2, 'Approval'),
    ...approvalSection(mission, play),
    ...otherPlaysSection(ranked, play),
  ];
  return render(blocks);
}

interface PlanChoice {
  play: Play;
  approved: boolean;
  basis: 'approved' | 'selected' | 'top_ranked';
}

/** The approved play; else the selected one; else the best-ranked play nobody dismissed. */
function choosePlan(plays: readonly Play[]): PlanChoice | null {
  const ranked = sortPlaysByRank(plays);
  const approved = ranked.find((p) => p.status === 'approved');
  if (approved) return { play: approved, approved: true, basis: 'approved' };
  const selected = ranked.find((p) => p.status === 'selected');
  if (selected) return { play: selected, approved: false, basis: 'selected' };
  const top = ranked.find((p) => p.status !== 'dismissed');
  return top ? { play: top, approved: false, basis: 'top_ranked' } : null;
}

function sortPlaysByRank(plays: readonly Play[]): Play[] {
  return [...plays].sort((a, b) => a.rank - b.rank || compareText(a.id, b.id));
}

function draftNotice(choice: PlanChoice, playCount: number): Block {
  if (choice.approved) return [];
  const why =
    choice.basis === 'selected'
      ? 'This play is selected but has not been approved.'
      : `No play has been selected or approved yet; this is the best-ranked play that was not dismissed (${plural(playCount, 'play')} proposed).`;
  return [`> **DRAFT: NOT APPROVED.** ${why} Nothing in it may be executed until an approver approves it.`];
}

function noPlanDocument(mission: Mission): string {
  const dismissed = sortPlaysByRank(mission.plays);
  const blocks: Block[] = [
    yamlFrontmatter({ mission: mission.id, mission_version: mission.version, title: mission.title, play: null, status: 'no_play' }),
    heading(1, `Plan: ${mission.title}`),
    dismissed.length === 0
      ? [`No play has been proposed yet. The mission is ${code(mission.state)}; plays are proposed once the brief is locked and toolkits are confirmed.`]
      : [`No play to plan: all ${plural(dismissed.length, 'proposed play')} were dismissed. Propose a new play to continue.`],
    dismissed.length > 0
      ? table(
          ['Rank', 'Play', 'Dismissed because'],
          dismissed.map((p) => [String(p.rank), md(`${inline(p.title)} (${code(p.id)})`), p.dismissedReason ?? 'no reason recorded']),
        )
      : [],
    heading(2, 'Objective'),
    chipList(mission.brief, 'objective', 'The brief has no objective.'),
  ];
  return render(blocks);
}

function chipList(brief: Brief, kind: ChipKind, whenEmpty: string): Block {
  const items = chipOf(brief, kind)?.items ?? [];
  return items.length > 0 ? items.map((item) => `- ${inline(item)}`) : [`_${whenEmpty}_`];
}

function timelineLine(brief: Brief): Block {
  const items = chipOf(brief, 'timeline')?.items ?? [];
  return items.length > 0 ? [`Timeline: ${inline(items.join('; '))}`] : [];
}

function kpiSection(brief: Brief): Block[] {
  const items = chipOf(brief, 'kpis')?.items ?? [];
  return items.length > 0 ? [heading(3, 'KPIs'), items.map((item) => `- ${inline(item)}`)] : [];
}

function checklist(items: readonly string[], whenEmpty: string): Block {
  return items.length > 0 ? items.map((item) => `- [ ] ${inline(item)}`) : [`_${whenEmpty}_`];
}

function phaseTasks(phase: PlayPhase, number: number): Block[] {
  return [
    heading(3, `Phase ${number}: ${phase.name}`),
    [`Phase id: ${code(phase.id)}`],
    phase.steps.length > 0
      ? phase.steps.map((step, i) => `- [ ] Task ${number}.${i + 1}: ${inline(step.title)} (${code(step.id)})`)
      : ['_No steps listed._'],
  ];
}

function safeguardsSection(play: Play, brief: Brief): Block {
  const lines = play.safeguardsEnforced.length > 0 ? play.safeguardsEnforced.map((s) => `- ${inline(s)}`) : ['_The play enforces no safeguards._'];
  // Same keyword rule the ranking uses, so the reader sees what lowered the score.
  const uncovered = (chipOf(brief, 'safeguards')?.items ?? []).filter((s) => safeguardCoverage(play.safeguardsEnforced, [s]) === 0);
  if (uncovered.length === 0) return lines;
  return [...lines, '', 'Brief safeguards this play does not say it enforces:', '', ...uncovered.map((s) => `- ${inline(s)}`)];
}

function riskTable(play: Play): Block {
  return table(
    ['Dimension', 'Assessment'],
    [
      ['Complexity', play.risk.complexity],
      ['Impact', play.risk.impact],
      ['Reversibility', play.risk.reversibility],
      ['Test coverage', play.risk.testCoverage],
      [md('**Overall risk level**'), md(`**${inline(play.riskLevel)}**`)],
    ],
  );
}

function codePreview(preview: NonNullable<Play['codeChangePreview']>): Block {
  const net = preview.linesAdded - preview.linesRemoved;
  return [
    ...table(
      ['Files to modify', 'Files to create', 'Lines added', 'Lines removed', 'Net'],
      [[String(preview.filesToModify), String(preview.filesToCreate), `+${preview.linesAdded}`, `-${preview.linesRemoved}`, signed(net)]],
    ),
    '',
    ...(preview.files.length > 0 ? preview.files.map((f) => `- ${code(f)}`) : ['_No files listed._']),
  ];
}

function approvalSection(mission: Mission, play: Play): Block[] {
  const requests = approvalRequestsFor(mission, play.id);
  if (requests.length === 0) {
    return [[play.status === 'approved' ? 'The play is marked approved, but no approval request for it is on record.' : 'Approval has not been requested for this play.']];
  }
  return requests.flatMap((request) => {
    const decisions = [...request.decisions].sort((a, b) => compareTime(a.at, b.at) || compareText(a.approverId, b.approverId));
    return [
      heading(3, `Request ${request.id}: ${request.status}`),
      [
        `- Risk level: ${request.riskLevel}; approvals required: ${request.required}; approvals given: ${approvalsGiven(request)}`,
        `- Requested by ${inline(actorName(request.requestedBy))} at ${inline(request.requestedAt)}; expires ${inline(request.expiresAt)}`,
        `- Eligible approvers: ${request.eligibleApprovers.length > 0 ? request.eligibleApprovers.map(code).join(', ') : 'none'}`,
        `- Decided at: ${request.decidedAt ? inline(request.decidedAt) : request.status === 'requested' ? 'awaiting decision' : 'not recorded'}`,
        ...(request.note ? [`- Note: ${inline(request.note)}`] : []),
      ],
      decisions.length > 0
        ? table(
            ['When', 'Approver', 'Decision', 'Reason'],
            decisions.map((d) => [
              d.at,
              d.approverName ? `${d.approverName} (${d.approverId})` : d.approverId,
              d.decision,
              d.reason ?? (d.decision === 'rejected' ? 'no reason given' : '-'),
            ]),
          )
        : ['_No decisions yet._'],
    ];
  });
}

/** Every request for this play, earliest first; the current one is not repeated in the history. */
function approvalRequestsFor(mission: Mission, playId: string): ApprovalRequest[] {
  const byId = new Map<string, ApprovalRequest>();
  for (const request of [...mission.approvalHistory, ...(mission.approval ? [mission.approval] : [])]) {
    if (request.playId === playId) byId.set(request.id, request);
  }
  return [...byId.values()].sort((a, b) => compareTime(a.requestedAt, b.requestedAt) || compareText(a.id, b.id));
}

function otherPlaysSection(ranked: readonly Play[], chosen: Play): Block[] {
  const others = ranked.filter((p) => p.id !== chosen.id);
  if (others.length === 0) return [];
  return [
    heading(2, 'Other plays considered'),
    table(
      ['Rank', 'Play', 'Confidence', 'Score', 'Status', 'Note'],
      others.map((p) => [String(p.rank), md(`${inline(p.title)} (${code(p.id)})`), p.confidence.toFixed(2), p.score.toFixed(3), p.status, p.dismissedReason ?? '-']),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// SUMMARY.md

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
      deviations: execution.deviations.length,
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
      `- Play: ${play ? inline(play.title) : '_not among the mission\'s plays_'} (${code(execution.playId)})`,
      `- Mission state: ${code(mission.state)}`,
      `- Execution: started ${inline(execution.startedAt)}${execution.completedAt ? `, completed ${inline(execution.completedAt)} (${inline(executionTime)})` : ', still in progress'}`,
    ],
    heading(2, 'What was built'),
    ...phases.flatMap((row) => phaseReport(row)),
    [`Final gate: ${execution.finalGate ? `${execution.finalGate.passed ? 'passed' : 'FAILED'} at ${inline(execution.finalGate.evaluatedAt)}` : 'not evaluated yet'}.`],
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

/** Model tokens and cost per stage or phase, when any were recorded (seed 001's cost breakdown). */
function modelCostSection(mission: Mission): Block[] {
  const models = mission.models;
  if (!models || models.total.calls === 0) return [];
  const usd = (n: number) => `$${n.toFixed(4)}`;
  const rows: Cell[][] = Object.entries(models.byPhase).map(([phase, line]) => [{ md: code(phase) }, String(line.calls), String(line.inputTokens), String(line.outputTokens), usd(line.costUsd)]);
  rows.push([{ md: '**Total**' }, String(models.total.calls), String(models.total.inputTokens), String(models.total.outputTokens), { md: `**${usd(models.total.costUsd)}**` }]);
  const budget = models.budgetUsd === null ? 'No budget set.' : `Budget ${usd(models.budgetUsd)}${models.pausedAt ? `; over it since ${inline(models.pausedAt)}, execution reports paused` : ''}.`;
  return [heading(2, 'Model cost'), table(['Stage or phase', 'Calls', 'Input tokens', 'Output tokens', 'Cost'], rows), [budget]];
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

interface PhaseRow {
  number: number;
  id: string;
  name: string;
  planned: PlayPhase | null;
  progress: PhaseProgress | null;
}

/** The play's phases in plan order with their reported progress, then any reported phase the plan does not have. */
function phaseRows(play: Play | null, execution: Execution | null): PhaseRow[] {
  const reported = execution?.phases ?? [];
  const progressById = new Map(reported.map((p) => [p.phaseId, p]));
  const planned = play?.phases ?? [];
  const plannedIds = new Set(planned.map((p) => p.id));
  const extra = reported.filter((p) => !plannedIds.has(p.phaseId)).sort((a, b) => a.index - b.index || compareText(a.phaseId, b.phaseId));
  return [
    ...planned.map((phase) => ({ id: phase.id, name: phase.name, planned: phase, progress: progressById.get(phase.id) ?? null })),
    ...extra.map((progress) => ({ id: progress.phaseId, name: progress.name, planned: null, progress })),
  ].map((row, i) => ({ ...row, number: i + 1 }));
}

function phaseLabel(row: PhaseRow): string {
  return `Phase ${row.number} (${row.name})`;
}

function phaseOfId(phases: readonly PhaseRow[], phaseId: string): string {
  const row = phases.find((r) => r.id === phaseId);
  return row ? phaseLabel(row) : `phase ${phaseId}`;
}

function phaseReport(row: PhaseRow): Block[] {
  const progress = row.progress;
  const status = progress ? progress.status : 'not started';
  const blocks: Block[] = [heading(3, `Phase ${row.number}: ${row.name} (${status})${row.planned ? '' : ' [not in plan]'}`)];
  if (!progress) return [...blocks, ['_Nothing reported for this phase._']];

  const timing = [
    progress.startedAt ? `Started ${inline(progress.startedAt)}` : 'Not started',
    progress.completedAt
      ? `completed ${inline(progress.completedAt)}` + (progress.startedAt ? ` (${inline(formatElapsed(progress.startedAt, progress.completedAt))})` : '')
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
    runs.map(({ row, run }) => [phaseLabel(row), run.suite ?? '-', run.at, String(run.total), String(run.passing), String(run.failing), run.coverage === null ? 'not measured' : percent(run.coverage)]),
  );
}

function sortAlerts(alerts: readonly ValidatorAlert[], phases: readonly PhaseRow[]): ValidatorAlert[] {
  const order = phaseOrder(phases);
  return [...alerts].sort((a, b) => order(a.phaseId) - order(b.phaseId) || compareTime(a.raisedAt, b.raisedAt) || compareText(a.id, b.id));
}

function phaseOrder(phases: readonly PhaseRow[]): (phaseId: string) => number {
  const index = new Map(phases.map((row) => [row.id, row.number]));
  return (phaseId) => index.get(phaseId) ?? Number.MAX_SAFE_INTEGER;
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
          autoFixes.map((a) => [md(code(a.id)), phaseOfId(phases, a.phaseId), a.severity, a.description, md(alertStatusLabel(a)), `by ${actorName(a.raisedBy)} at ${a.raisedAt}`]),
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

function sortArtifacts(artifacts: readonly ArtifactRecord[]): ArtifactRecord[] {
  return [...artifacts].sort((a, b) => compareTime(a.attachedAt, b.attachedAt) || compareText(a.id, b.id));
}

function evidenceSection(mission: Mission, phases: readonly PhaseRow[]): Block[] {
  const artifacts = sortArtifacts(mission.evidence.artifacts);
  const bundle = mission.evidence.bundle;
  return [
    artifacts.length > 0
      ? table(
          ['Artifact', 'Kind', 'SHA-256', 'Phase', 'Attached by', 'Attached at'],
          artifacts.map((a) => [a.name, a.kind, md(code(a.sha256.slice(0, 12))), a.phaseId ? phaseOfId(phases, a.phaseId) : '-', actorName(a.attachedBy), a.attachedAt]),
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
    lines.push(`Requested by ${undo.requestedBy ? inline(actorName(undo.requestedBy)) : 'unknown'} at ${undo.requestedAt ? inline(undo.requestedAt) : 'unknown time'}${undo.reason ? `: ${inline(undo.reason)}` : ''}.`);
  }
  if (undo.stepsRun.length === 0) return [...lines, '', 'No undo steps have run.'];
  return [
    ...lines,
    '',
    ...undo.stepsRun.map((s, i) => `${i + 1}. ${inline(s.step)}: ${s.outcome === 'manual' ? 'manual (a person must carry it out)' : s.outcome}${s.detail ? `; ${inline(s.detail)}` : ''}`),
  ];
}

const PRIORITY_ORDER: Record<FollowUpPriority, number> = { urgent: 0, high: 1, medium: 2, low: 3 };

function followUpList(followUps: readonly FollowUp[], whenEmpty: string): Block {
  if (followUps.length === 0) return [`_${whenEmpty}_`];
  const sorted = [...followUps].sort(
    (a, b) => PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] || compareTime(a.createdAt, b.createdAt) || compareText(a.id, b.id),
  );
  return sorted.map((f) => `- ${inline(f.title)} (priority ${f.priority}, ${f.status}; ${trackerLabel(f)})`);
}

function trackerLabel(f: FollowUp): string {
  const tracker = f.tracker === 'linear' ? 'Linear' : f.tracker === 'github' ? 'GitHub' : null;
  if (f.externalId) return `${tracker ?? 'tracker'} ${f.url ? link(f.externalId, f.url) : code(f.externalId)}`;
  return tracker ? `to be filed in ${tracker}` : 'not filed in a tracker';
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

// ---------------------------------------------------------------------------------------------
// VERIFICATION.md

export function verificationStatus(mission: Mission, options?: VerificationOptions): VerificationStatus {
  return verify(mission, options).status;
}

export function verificationMarkdown(mission: Mission, options?: VerificationOptions): string {
  const v = verify(mission, options);
  const frontmatter = yamlFrontmatter({
    mission: mission.id,
    mission_version: mission.version,
    title: mission.title,
    play: v.play?.id ?? null,
    status: v.status,
    verified_at: v.verifiedAt,
    verified_by: 'mission-control gates',
    gaps: v.gaps.length,
  });
  const summary =
    v.status === 'PASS'
      ? '**Status: PASS.** Every planned phase completed with a passed gate, the final gate passed, no review alert is open or blocked' +
        (options?.evidence ? ', and the evidence is intact.' : '. Evidence integrity was not checked for this export.')
      : `**Status: GAPS_FOUND.** ${plural(v.gaps.length, 'gap')}, listed under Gaps found. A gap is never counted as success.`;

  const blocks: Block[] = [
    frontmatter,
    heading(1, `Verification: ${mission.title}`),
    [summary],
    !mission.execution && v.play
      ? [`Nothing has executed yet: the sections below list what play ${code(v.play.id)} (${v.play.status}) will have to show.`]
      : [],
    heading(2, 'Quality gates'),
    v.gateRows.length > 0 ? table(['Scope', 'Check', 'Result', 'Detail'], v.gateRows) : ['_No quality gate has been evaluated._'],
    heading(2, 'Observable truths'),
    [
      'Mission Control cannot observe these automatically, so none is marked verified here. A person must confirm each one, ' +
        'along with the wiring the play says it needs.',
    ],
    heading(3, 'Human verification needed'),
    v.humanChecks.length > 0 ? table(['Check', 'Kind', 'Status'], v.humanChecks.map(([check, kind]) => [check, kind, 'NEEDS HUMAN CHECK'])) : ['_The play lists no observable truths or wiring._'],
    heading(2, 'Required artifacts'),
    ...requiredArtifactsBlocks(v.artifactRows),
    heading(2, 'Evidence integrity'),
    evidenceIntegrity(mission, options?.evidence),
    heading(2, 'Gaps found'),
    v.gaps.length > 0 ? v.gaps.map((gap, i) => `${i + 1}. ${inline(gap)}`) : ['None.'],
    heading(2, 'Remediation'),
    followUpList(mission.reflection.followUps, v.gaps.length > 0 ? 'No follow-ups recorded: each gap above still needs an owner.' : 'None recorded.'),
  ];
  return render(blocks);
}

interface ArtifactCheck {
  path: string;
  evidence: ArtifactRecord | null;
}

interface Verification {
  status: VerificationStatus;
  play: Play | null;
  verifiedAt: string;
  gateRows: string[][];
  humanChecks: Array<[string, string]>;
  artifactRows: ArtifactCheck[];
  gaps: string[];
}

const ENDED_UNFINISHED = new Set<Mission['state']>(['failed', 'cancelled', 'rolled_back']);

function verify(mission: Mission, options: VerificationOptions | undefined): Verification {
  const execution = mission.execution;
  const executedPlay = execution ? (mission.plays.find((p) => p.id === execution.playId) ?? null) : null;
  // Before execution the plan on the table is what would be verified.
  const play = execution ? executedPlay : (choosePlan(mission.plays)?.play ?? null);
  const phases = phaseRows(play, execution);
  const gaps: string[] = [];
  const gateRows: string[][] = [];

  if (!execution) {
    gaps.push(`Execution has not started (the mission is ${mission.state}); nothing has been verified.`);
  } else {
    if (!executedPlay) gaps.push(`The executed play ${execution.playId} is not among the mission's plays, so its phases cannot be checked against a plan.`);
    if (ENDED_UNFINISHED.has(mission.state)) gaps.push(`The mission ended as ${mission.state}.`);
    if (execution.undo.status === 'executed') gaps.push('The undo plan was executed, so the changes were rolled back.');
  }

  for (const row of phases) {
    const scope = `Phase ${row.number}: ${row.name}`;
    const progress = row.progress;
    if (!progress) {
      if (execution) gaps.push(`${phaseLabel(row)} has not started.`);
      continue;
    }
    if (progress.status === 'failed') gaps.push(`${phaseLabel(row)} failed${progress.failureReason ? `: ${progress.failureReason}` : '.'}`);
    else if (progress.status !== 'completed') gaps.push(`${phaseLabel(row)} is not completed (status: ${progress.status}).`);
    if (progress.gate) {
      gateRows.push(...gateTableRows(scope, progress.gate));
      gaps.push(...gateGaps(`${phaseLabel(row)} gate`, progress.gate));
    } else {
      gateRows.push([scope, '(no gate evaluated)', 'NOT EVALUATED', '-']);
      if (progress.status === 'completed') gaps.push(`${phaseLabel(row)} has no quality gate result.`);
    }
  }

  const finalGate = execution?.finalGate ?? null;
  if (finalGate) {
    gateRows.push(...gateTableRows('Mission (final gate)', finalGate));
    gaps.push(...gateGaps('Final gate', finalGate));
  } else if (execution) {
    gateRows.push(['Mission (final gate)', '(no gate evaluated)', 'NOT EVALUATED', '-']);
    gaps.push('Not verified: the mission-level final gate has not been evaluated.');
  }

  // Any alert left open or blocked is a gap, whatever its type: nobody has accepted it.
  for (const alert of sortAlerts(execution?.alerts ?? [], phases)) {
    const subject = `${alert.type === 'review_required' ? 'Review alert' : 'Auto-fix alert'} ${alert.id} in ${phaseOfId(phases, alert.phaseId)}, severity ${alert.severity},`;
    if (alert.status === 'open') gaps.push(`${subject} is OPEN: ${alert.description}`);
    if (alert.status === 'blocked') {
      const by = alert.resolution ? ` by ${actorName(alert.resolution.by)} (${alert.resolution.note})` : '';
      gaps.push(`${subject} was BLOCKED${by}: ${alert.description}`);
    }
  }

  const evidence = options?.evidence;
  if (evidence && !evidence.ok) {
    for (const problem of evidence.problems) gaps.push(`Evidence integrity (${problemSubject(mission, problem.artifactId)}): ${problem.problem}`);
  }

  const artifacts = sortArtifacts(mission.evidence.artifacts);
  const artifactRows = (play?.mustHaves.artifacts ?? []).map((path) => ({
    path,
    evidence: artifacts.find((a) => a.name.includes(path) || (a.url !== null && a.url.includes(path))) ?? null,
  }));
  const humanChecks: Array<[string, string]> = [
    ...(play?.mustHaves.truths ?? []).map((t): [string, string] => [t, 'Observable truth']),
    ...(play?.mustHaves.keyLinks ?? []).map((l): [string, string] => [l, 'Required wiring']),
  ];

  return {
    status: execution && gaps.length === 0 ? 'PASS' : 'GAPS_FOUND',
    play,
    verifiedAt: finalGate?.evaluatedAt ?? latestGateTime(phases) ?? 'not verified',
    gateRows,
    humanChecks,
    artifactRows,
    gaps,
  };
}

function gateTableRows(scope: string, gate: GateResult): string[][] {
  if (gate.checks.length === 0) return [[scope, '(no checks recorded)', gate.passed ? 'PASSED' : 'FAILED', '-']];
  return gate.checks.map((check) => [scope, check.label, check.passed ? 'PASSED' : 'FAILED', check.detail]);
}

function gateGaps(subject: string, gate: GateResult): string[] {
  const failed = gate.checks.filter((c) => !c.passed).map((c) => `${subject}: check "${c.label}" FAILED: ${c.detail}`);
  if (failed.length === 0 && !gate.passed) return [`${subject} failed (no failing check recorded).`];
  if (failed.length === 0 && gate.checks.length === 0) return [`${subject} recorded no checks, so nothing was verified.`];
  return failed;
}

function latestGateTime(phases: readonly PhaseRow[]): string | null {
  let latest: string | null = null;
  for (const row of phases) {
    const at = row.progress?.gate?.evaluatedAt;
    if (at && (latest === null || compareTime(at, latest) > 0)) latest = at;
  }
  return latest;
}

function problemSubject(mission: Mission, artifactId: string | null): string {
  if (artifactId === null) return 'evidence bundle';
  const artifact = mission.evidence.artifacts.find((a) => a.id === artifactId);
  return artifact ? `artifact ${artifactId}, "${artifact.name}"` : `artifact ${artifactId}, not among the mission's artifacts`;
}

function requiredArtifactsBlocks(rows: readonly ArtifactCheck[]): Block[] {
  if (rows.length === 0) return [['_The play lists no required artifacts._']];
  const deferred = rows.filter((r) => !r.evidence).length;
  return [
    table(
      ['Artifact', 'Status', 'Evidence'],
      rows.map((r) => [
        md(code(r.path)),
        r.evidence ? 'EXISTS' : 'DEFERRED (not verified)',
        r.evidence ? md(`${inline(r.evidence.name)} (${code(r.evidence.id)})`) : 'no attached evidence names this path',
      ]),
    ),
    deferred > 0
      ? [
          `${plural(deferred, 'required artifact')} deferred: not verified here and not counted as gaps. ` +
            'Attach evidence that names each path, or have a person confirm it.',
        ]
      : [],
  ];
}

function evidenceIntegrity(mission: Mission, evidence: EvidenceVerification | undefined): Block {
  const bundle = mission.evidence.bundle;
  if (!evidence) {
    return [
      `Not checked: this export was made without an evidence verification result. ${plural(mission.evidence.artifacts.length, 'artifact')} attached; ` +
        (bundle ? `bundle manifest ${code(bundle.manifestSha256)}.` : 'no bundle generated.'),
    ];
  }
  if (evidence.ok) {
    return [
      `OK: ${plural(evidence.artifactCount, 'artifact')} ${evidence.artifactCount === 1 ? 'matches its' : 'match their'} recorded SHA-256 ${evidence.artifactCount === 1 ? 'hash' : 'hashes'}; ` +
        (evidence.manifestSha256 ? `bundle manifest ${code(evidence.manifestSha256)} matches.` : 'no bundle generated.'),
    ];
  }
  return ['FAILED:', '', ...evidence.problems.map((p) => `- ${inline(`${problemSubject(mission, p.artifactId)}: ${p.problem}`)}`)];
}

// ---------------------------------------------------------------------------------------------
// Markdown and YAML building blocks

/** A block is a run of lines; blocks are separated by one blank line and empty blocks vanish. */
type Block = string[] | string;

function render(blocks: readonly Block[]): string {
  const parts = blocks.map((b) => (typeof b === 'string' ? b : b.join('\n'))).filter((b) => b.length > 0);
  return `${parts.join('\n\n')}\n`;
}

function heading(level: number, text: string): string {
  // A trailing run of # would be read as the heading's closing sequence and dropped.
  return `${'#'.repeat(level)} ${inline(text).replace(/ (#+)$/, ' \\$1')}`;
}

/** Text on one line: newlines and runs of whitespace become single spaces. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Keeps mission text literal: no code span, raw HTML, autolink or link can start inside it. */
function escapeText(text: string): string {
  return text.replace(/[\\`<[]/g, (c) => `\\${c}`);
}

/** Escapes a character at the start of a line that would otherwise open a heading, list, quote, fence, table, HTML block or break. */
function escapeLineStart(line: string): string {
  if (/^[#>\-+*=_`~|<]/.test(line)) return `\\${line}`;
  const ordered = /^(\d{1,9})([.)])/.exec(line);
  return ordered ? `${ordered[1]}\\${line.slice(ordered[1]!.length)}` : line;
}

/** Mission text placed in prose (sentences, list items, headings): one line, literal. */
function inline(text: string): string {
  return escapeLineStart(escapeText(oneLine(text)));
}

/** Free text that may span lines and paragraphs; each line stays plain text. */
function paragraph(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => escapeLineStart(escapeText(line.trim())));
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length > 0 ? out : ['_None given._'];
}

function quote(text: string): string[] {
  return paragraph(text).map((line) => (line === '' ? '>' : `> ${line}`));
}

/** A code span whose fence is longer than any backtick run inside it. */
function code(text: string): string {
  const flat = oneLine(text);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Markdown this module built itself; a table cell given as a plain string is mission text and is escaped. */
interface Markdown {
  md: string;
}
type Cell = string | Markdown;

function md(markdown: string): Markdown {
  return { md: markdown };
}

/**
 * A GFM table. Cells are kept to one line, and every pipe ends up behind an odd number of
 * backslashes (code spans included, where GFM still splits on a bare pipe), so rows never split.
 */
function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string[] {
  const cell = (c: Cell) => {
    const text = typeof c === 'string' ? escapeText(oneLine(c)) : oneLine(c.md);
    return text.replace(/(\\*)\|/g, (match, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}\\|` : match)) || '-';
  };
  const row = (cells: readonly Cell[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)];
}

/** A link for http(s) URLs; anything else is shown as code, never made clickable. */
function link(text: string, url: string): string {
  const label = escapeText(oneLine(text)).replace(/]/g, '\\]');
  const target = oneLine(url);
  if (!/^https?:\/\//i.test(target)) return `${label} (${code(target)})`;
  const safe = target.replace(/[\s()<>\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${label}](${safe})`;
}

type YamlScalar = string | number | boolean | null;
type YamlValue = YamlScalar | readonly YamlScalar[] | { readonly [key: string]: YamlValue };

const YAML_RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function yamlScalar(value: YamlScalar): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : yamlScalar(String(value));
  if (/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(value) && !YAML_RESERVED.test(value)) return value;
  // A JSON string is a valid YAML double-quoted scalar; YAML 1.1 also reads these three as line breaks.
  return JSON.stringify(value).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function yamlLines(map: { readonly [key: string]: YamlValue }, indent = ''): string[] {
  return Object.entries(map).flatMap(([key, value]) => {
    if (Array.isArray(value)) {
      return value.length === 0 ? [`${indent}${key}: []`] : [`${indent}${key}:`, ...value.map((v: YamlScalar) => `${indent}  - ${yamlScalar(v)}`)];
    }
    if (value !== null && typeof value === 'object') return [`${indent}${key}:`, ...yamlLines(value as { readonly [key: string]: YamlValue }, `${indent}  `)];
    return [`${indent}${key}: ${yamlScalar(value as YamlScalar)}`];
  });
}

function yamlFrontmatter(map: { readonly [key: string]: YamlValue }): string[] {
  return ['---', ...yamlLines(map), '---'];
}

// ---------------------------------------------------------------------------------------------
// Formatting

function actorName(actor: Actor): string {
  switch (actor.kind) {
    case 'slack_user':
      return actor.name ? `${actor.name} (${actor.id})` : actor.id;
    case 'mcp_token':
      return actor.onBehalfOf ? `assistant ${actor.id} (for ${actor.onBehalfOf})` : `assistant ${actor.id}`;
    case 'system':
      return actor.id === 'mission-control' ? 'Mission Control' : `Mission Control (${actor.id})`;
  }
}

/** Code-point order: localeCompare would depend on the host's ICU data. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Chronological for parseable timestamps, text order otherwise, so sorting never depends on the input order. */
function compareTime(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return compareText(a, b);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

function formatMinutes(minutes: number): string {
  return formatDuration(minutes * 60_000);
}

function formatElapsed(from: string, to: string): string {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : `from ${from} to ${to}`;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return seconds > 0 ? `${minutes}m ${seconds}s` : `${minutes}m`;
}
