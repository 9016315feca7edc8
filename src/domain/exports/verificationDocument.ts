// VERIFICATION.md in the GSD format: quality gates, what only a person can check, required
// artifacts, evidence integrity and every gap. A gap is never counted as success.
import { actorName } from '../actors.js';
import type { ArtifactRecord, EvidenceVerification } from '../evidence.js';
import type { GateResult } from '../execution.js';
import type { Mission } from '../mission.js';
import type { Play } from '../plays.js';
import { plural } from '../text/englishLists.js';
import { yamlFrontmatter } from './frontmatter.js';
import { code, heading, inline, md, render, table, type Block } from './markdown.js';
import { overrideBlocks, overridesOf } from './overrides.js';
import { choosePlan, compareTime, followUpList, phaseLabel, phaseOfId, phaseRows, sortAlerts, sortArtifacts, type PhaseRow } from './missionOutline.js';

export type VerificationStatus = 'PASS' | 'GAPS_FOUND';

export interface VerificationOptions {
  /** Result of `verifyEvidence` over the stored artifact contents; without it integrity is reported as not checked. */
  evidence?: EvidenceVerification;
}

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
    ...overrideBlocks(mission),
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

  // An override lets the mission go on; it is never verification, so each one is a gap.
  gaps.push(...overridesOf(mission).map((o) => `${o.what} was OVERRIDDEN by ${o.by} at ${o.at}, not passed: ${o.reason}`));

  const evidence = options?.evidence;
  if (evidence && !evidence.ok) {
    for (const problem of evidence.problems) gaps.push(`Evidence integrity (${problemSubject(mission, problem.artifactId)}): ${problem.problem}`);
  }

  const artifacts = sortArtifacts(mission.evidence.artifacts);
  const artifactRows = (play?.mustHaves.artifacts ?? []).map((path) => ({
    path,
    evidence: artifacts.find((a) => a.name.includes(path) || (a.url?.includes(path))) ?? null,
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
  return gate.checks.map((check) =>
    check.overridden
      ? [scope, check.label, 'OVERRIDDEN', `${check.detail} (overridden by ${actorName(check.overridden.by)}: ${check.overridden.reason})`]
      : [scope, check.label, check.passed ? 'PASSED' : 'FAILED', check.detail],
  );
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
