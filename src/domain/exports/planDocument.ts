// PLAN.md in the GSD format: the play on the table (approved, else selected, else best-ranked),
// its phases, safeguards, risk, undo plan, verification criteria and approval record.
import { actorName } from '../actors.js';
import { approvalsGiven, type ApprovalRequest } from '../approvalPolicy.js';
import { chipOf, type Brief, type ChipKind } from '../brief.js';
import type { Mission } from '../mission.js';
import { coverageSourceBlocks } from './coverageSources.js';
import { safeguardCoverage, type Play, type PlayPhase } from '../plays.js';
import { formatMinutes } from '../text/durations.js';
import { plural } from '../text/englishLists.js';
import { signed } from '../text/numbers.js';
import { yamlFrontmatter } from './frontmatter.js';
import { code, heading, inline, md, paragraph, render, table, type Block } from './markdown.js';
import { choosePlan, compareText, compareTime, sortPlaysByRank, type PlanChoice } from './missionOutline.js';

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
    ...coverageSourceBlocks(mission),
    heading(2, 'Approval'),
    ...approvalSection(mission, play),
    ...otherPlaysSection(ranked, play),
  ];
  return render(blocks);
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
    phase.steps.length > 0 ? phase.steps.map((step, i) => `- [ ] Task ${number}.${i + 1}: ${inline(step.title)} (${code(step.id)})`) : ['_No steps listed._'],
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
    return [
      [
        play.status === 'approved'
          ? 'The play is marked approved, but no approval request for it is on record.'
          : 'Approval has not been requested for this play.',
      ],
    ];
  }
  return requests.flatMap((request) => {
    const decisions = [...request.decisions].sort((a, b) => compareTime(a.at, b.at) || compareText(a.approverId, b.approverId));
    return [
      heading(3, `Request ${request.id}: ${request.status}`),
      [
        `- Risk level: ${request.riskLevel}; approvals required: ${request.required}; approvals given: ${approvalsGiven(request)}`,
        `- Requested by ${inline(actorName(request.requestedBy))} at ${inline(request.requestedAt)}; expires ${inline(request.expiresAt)}`,
        `- Eligible approvers: ${request.eligibleApprovers.length > 0 ? request.eligibleApprovers.map(code).join(', ') : 'none'}`,
        // Only requests that name user groups get the line, so older exports read as before.
        ...((request.eligibleGroups ?? []).length > 0
          ? [
              `- Eligible user groups (any member): ${request.eligibleGroups!.map(code).join(', ')}${request.quota ? `; at least ${request.quota.count} approval(s) from ${code(request.quota.groupId)}` : ''}`,
            ]
          : []),
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
      others.map((p) => [
        String(p.rank),
        md(`${inline(p.title)} (${code(p.id)})`),
        p.confidence.toFixed(2),
        p.score.toFixed(3),
        p.status,
        p.dismissedReason ?? '-',
      ]),
    ),
  ];
}
