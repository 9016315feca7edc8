// VERIFICATION.md in the GSD format: quality gates, the must-haves (truths signed off in UAT,
// artifacts and key links as the code at the pull request's head showed them, placeholders in the
// changed files), evidence integrity and every gap. Status is GSD's: passed, gaps_found or
// human_needed. A gap is never counted as success.
import { actorName } from '../actors.js';
import type { EvidenceVerification } from '../evidence.js';
import type { GateResult } from '../execution.js';
import type { Mission } from '../mission.js';
import type { Play } from '../plays.js';
import { plural } from '../text/englishLists.js';
import { antiPatternLabel, type MustHaveCheck } from '../mustHaveChecks.js';
import { mustHaveStanding, uatItems, uatResults, type GsdVerificationStatus, type MustHaveVerification } from '../verification.js';
import { yamlFrontmatter } from './frontmatter.js';
import { code, heading, inline, md, render, table, type Block } from './markdown.js';
import { coverageSourceBlocks } from './coverageSources.js';
import { overrideBlocks, overridesOf } from './overrides.js';
import { choosePlan, compareTime, followUpList, phaseLabel, phaseOfId, phaseRows, sortAlerts, sortArtifacts, type PhaseRow } from './missionOutline.js';

export type VerificationStatus = GsdVerificationStatus;

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
    score: `${v.score.verified}/${v.score.total}`,
    verified_at: v.verifiedAt,
    verified_by: 'mission-control gates',
    gaps: v.gaps.length,
    human_needed: v.humanNeeded.length,
  });
  const summary =
    v.status === 'passed'
      ? `**Status: passed.** Every planned phase completed with a passed gate, the final gate passed, no review alert is open or blocked, ${v.score.total > 0 ? `every truth was signed off by a person (${v.score.verified}/${v.score.total})` : 'the play states no truths'}, and every checked artifact and key link was found in the code` +
        (options?.evidence ? '; the evidence is intact.' : '. Evidence integrity was not checked for this export.')
      : v.status === 'gaps_found'
        ? `**Status: gaps_found.** ${plural(v.gaps.length, 'gap')}, listed under Gaps found. A gap is never counted as success.`
        : `**Status: human_needed.** No gap was found, but ${plural(v.humanNeeded.length, 'check waits', 'checks wait')} for a person (truths verified: ${v.score.verified}/${v.score.total}), listed under Human verification needed.`;

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
    ...coverageSourceBlocks(mission),
    heading(2, 'Observable truths'),
    ['A truth is verified only when a person marks it Pass in user acceptance testing (UAT.md); an assistant cannot sign off its own work.'],
    v.truthRows.length > 0 ? table(['Truth', 'Status', 'Evidence'], v.truthRows) : ['_The play lists no observable truths._'],
    heading(2, 'Required artifacts'),
    ...codeCheckBlocks('artifact', v.play?.mustHaves.artifacts ?? [], v.codeCheck, mission),
    heading(2, 'Required wiring'),
    ...codeCheckBlocks('key_link', v.play?.mustHaves.keyLinks ?? [], v.codeCheck, mission),
    heading(2, 'Anti-patterns'),
    antiPatternBlock(v.codeCheck),
    heading(2, 'Human verification needed'),
    v.humanNeeded.length > 0 ? v.humanNeeded.map((h) => `- ${inline(h)}`) : ['None.'],
    heading(2, 'Evidence integrity'),
    evidenceIntegrity(mission, options?.evidence),
    heading(2, 'Gaps found'),
    v.gaps.length > 0 ? v.gaps.map((gap, i) => `${i + 1}. ${inline(gap)}`) : ['None.'],
    heading(2, 'Remediation'),
    followUpList(mission.reflection.followUps, v.gaps.length > 0 ? 'No follow-ups recorded: each gap above still needs an owner.' : 'None recorded.'),
  ];
  return render(blocks);
}

interface Verification {
  status: VerificationStatus;
  play: Play | null;
  verifiedAt: string;
  gateRows: string[][];
  truthRows: string[][];
  codeCheck: MustHaveVerification | null;
  humanNeeded: string[];
  score: { verified: number; total: number };
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

  // Must-haves: only the executed play's are verified; before execution they are what will be checked.
  const standing = execution ? mustHaveStanding(mission) : null;
  if (standing) gaps.push(...standing.gaps);
  const humanNeeded = standing?.humanNeeded ?? [];
  const results = uatResults(mission);
  const truthRows = uatItems(mission, play)
    .filter((item) => item.source === 'truth')
    .map((item) => {
      const result = results.get(item.id);
      if (!result) return [item.statement, 'NEEDS HUMAN', execution ? 'not signed off in UAT yet' : 'checked in UAT once the work is built'];
      const who = `${actorName(result.by)} at ${result.at}${result.note ? `: ${result.note}` : ''}`;
      return [item.statement, result.outcome === 'pass' ? 'VERIFIED' : 'FAILED', `${result.outcome === 'pass' ? 'signed off' : 'failed UAT'} by ${who}`];
    });
  const codeCheck = play && execution?.mustHaveVerification?.playId === play.id ? execution.mustHaveVerification : null;

  return {
    status: !execution || gaps.length > 0 ? 'gaps_found' : humanNeeded.length > 0 ? 'human_needed' : 'passed',
    play,
    verifiedAt: finalGate?.evaluatedAt ?? latestGateTime(phases) ?? 'not verified',
    gateRows,
    truthRows,
    codeCheck,
    humanNeeded,
    score: standing?.score ?? { verified: 0, total: play?.mustHaves.truths.length ?? 0 },
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

/** Artifacts or key links: what the code showed, or, before a check, that none has been made (attached evidence naming the path is noted, never counted). */
function codeCheckBlocks(kind: MustHaveCheck['kind'], subjects: readonly string[], verification: MustHaveVerification | null, mission: Mission): Block[] {
  const what = kind === 'artifact' ? 'required artifacts' : 'key links';
  if (subjects.length === 0) return [[`_The play lists no ${what}._`]];
  const header = [kind === 'artifact' ? 'Artifact' : 'Key link', 'Status', 'Looked at', 'Detail'];
  if (verification) {
    const checks = verification.checks.filter((c) => c.kind === kind);
    return [
      [
        `Checked against ${code(verification.repository)} pull request #${verification.pullRequest} at ${code(verification.headSha.slice(0, 7))} (${verification.checkedAt}).`,
      ],
      table(
        header,
        checks.map((c) => [md(code(c.subject)), c.status, c.lookedAt, c.detail]),
      ),
    ];
  }
  const artifacts = sortArtifacts(mission.evidence.artifacts);
  return [
    table(
      header,
      subjects.map((subject) => {
        const named = kind === 'artifact' ? artifacts.find((a) => a.name.includes(subject) || a.url?.includes(subject)) : undefined;
        return [
          md(code(subject)),
          'NOT CHECKED',
          '-',
          named ? md(`reported in evidence ${inline(named.name)} (${code(named.id)}), not read from the code`) : 'not read from the code yet',
        ];
      }),
    ),
    [
      `Not checked against the code yet: ${what} are read from the pull request's head when the mission completes (GitHub connected and a pull request attached).`,
    ],
  ];
}

function antiPatternBlock(verification: MustHaveVerification | null): Block {
  if (!verification) return ['_The changed files have not been scanned yet._'];
  if (verification.antiPatterns.length === 0) return [`None found in the files pull request #${verification.pullRequest} changes.`];
  return table(
    ['File', 'Line', 'Pattern', 'Text'],
    verification.antiPatterns.map((f) => [md(code(f.path)), String(f.line), antiPatternLabel(f.kind), md(code(f.text))]),
  );
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
