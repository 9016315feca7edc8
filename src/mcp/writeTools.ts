// The tools that change missions. Each validates with the domain's schemas before it writes,
// and tools that make several service calls check everything they can first, so a refused
// call writes nothing. There is deliberately no tool that approves, resolves review alerts,
// overrides a gate or rates a mission: those are a person's decisions, made in Slack.
import { artifactCount } from '../domain/evidence.js';
import { awaitedApprovers } from '../domain/approvalPolicy.js';
import { z } from 'zod';
import { CHIP_LABELS, chipOf } from '../domain/brief.js';
import { MissionError } from '../domain/errors.js';
import { COVERAGE_THRESHOLD, coverageMeter, pendingReportedCoverage } from '../domain/mission.js';
import {
  attachEvidenceInput,
  editChipInput,
  followUpInput,
  missionIdSchema,
  missionRefInput,
  progressReportInput,
  proposePlaysInput,
  recordCoverageInput,
  requestApprovalInput,
  retrospectiveInput,
  rollbackInput,
  selectToolkitsInput,
  startMissionInput,
} from '../domain/missionInputs.js';
import { canonicalJson } from '../domain/eventLog.js';
import {
  approvalOut,
  approvalView,
  artifactOut,
  artifactView,
  describeNext,
  missionRef,
  missionRefView,
  missionView,
  nextOut,
  nextView,
  playOut,
  playView,
  viewMission,
} from './missionView.js';
import { approvalPostedTo, homeWithoutSlack, postedToWithoutSlack, slackHomeView } from './slackPresence.js';
import { defineTool, type McpContext, type ToolSpec } from './toolRegistry.js';
import { samplingBriefDrafter } from './samplingDrafter.js';
import { attachPullRequestEvidence, describePullRequest } from '../connectors/github/pullRequestEvidence.js';

export const updateBriefInput = z
  .strictObject({
    missionId: missionIdSchema,
    /** Unlock a locked brief first (only while toolkits are being prepared). */
    reopen: z.boolean().default(false).describe('true to unlock a locked brief first (only while the mission is preparing); default false.'),
    /** Replace (or add) chips: each kind's full list of statements. */
    edits: z
      .array(z.strictObject({ kind: editChipInput.shape.kind, items: editChipInput.shape.items }))
      .max(6, 'edits may hold at most 6 chips')
      .default([])
      .describe('Chips to replace or add, each kind at most once, with its full list of statements, e.g. [{"kind": "scope", "items": ["Auth service only"]}].'),
    remove: z
      .array(editChipInput.shape.kind)
      .max(6)
      .default([])
      .describe('Chip kinds to drop from the brief, e.g. ["timeline"]; a kind cannot be both edited and removed.'),
    /** "Accept all": lock the brief after the edits and move to Prepare. */
    lock: z
      .boolean()
      .default(false)
      .describe('true to accept the brief after the edits: it is locked and the mission moves to Prepare (toolkits are recommended); default false.'),
  })
  .superRefine((input, ctx) => {
    const kinds = input.edits.map((e) => e.kind);
    if (new Set(kinds).size !== kinds.length) ctx.addIssue({ code: 'custom', path: ['edits'], message: 'edits must not repeat a kind' });
    for (const kind of input.remove) {
      if (kinds.includes(kind)) ctx.addIssue({ code: 'custom', path: ['remove'], message: `remove: ${kind} is also in edits; do one or the other` });
    }
    if (!input.reopen && !input.lock && input.edits.length === 0 && input.remove.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['edits'], message: 'nothing to do: give edits, remove, lock or reopen' });
    }
  });

export const selectToolkitsToolInput = z.strictObject({
  missionId: missionIdSchema,
  /** The selection (replaces any earlier one); omit to keep the current selection. */
  toolkits: selectToolkitsInput.shape.toolkits
    .optional()
    .describe(
      'The full toolkit selection, replacing any earlier one, e.g. [{"toolkitId": "github"}, {"toolkitId": "linear", "defer": true}]; omit to keep the current selection.',
    ),
  /** What the assistant's read-only inspection of each toolkit found; counts towards the meter once a person accepts it. */
  coverage: z
    .array(recordCoverageInput.omit({ missionId: true }))
    .max(10)
    .default([])
    .describe(
      'What your read-only inspection of each selected toolkit found (up to 10 entries); shown as reported by the assistant, counted towards the coverage meter once a person accepts it.',
    ),
  /** Confirm the toolkits (move to Plan & Approve) when coverage reaches the threshold. */
  confirm: z
    .boolean()
    .default(true)
    .describe(
      `true (default) to confirm the toolkits when coverage reaches ${Math.round(COVERAGE_THRESHOLD * 100)}%, moving the mission to Plan & Approve; false to only record.`,
    ),
});

const phaseOutcome = z.object({
  phaseId: z.string(),
  name: z.string(),
  status: z.string(),
  gate: z.object({ passed: z.boolean(), failing: z.array(z.string()) }).nullable(),
});

export function writeTools(context: McpContext): ToolSpec[] {
  const { service } = context;

  const startMission = defineTool({
    name: 'start_mission',
    title: 'Start a mission',
    description:
      "Starts a mission from an intent (what should be achieved, with constraints). The brief is drafted into chips (objective, scope, acceptance_criteria, kpis, safeguards, timeline); chips you already drafted replace the drafter's of the same kind. channelId/threadTs say where in Slack the mission lives (approvals are requested there).",
    input: startMissionInput,
    output: z.object({
      mission: missionView,
      slackHome: slackHomeView.describe('Where the mission lives in Slack (its brief card and thread), or why it has no thread'),
    }),
    readOnly: false,
    async run(args, { actor, extra }) {
      // No model configured here and the assistant offers sampling: its own model drafts (unless it brought every chip).
      const sampling = !service.draftsWithModel && context.clientSupportsSampling?.() === true && !(Array.isArray(args.chips) && args.chips.length >= 6);
      const started = await service.define.startMission(args, actor, sampling ? { drafter: samplingBriefDrafter(extra) } : {});
      // A model-backed drafter answers within its time limit (well under a client's 60 s): the assistant gets the full brief.
      await service.whenDrafted(started.id);
      const mission = started.brief.drafting ? await service.getMission({ missionId: started.id }) : started;
      const chips = mission.brief.chips.map((c) => `${CHIP_LABELS[c.kind]}: ${c.items.join('; ')}`);
      const slackHome = context.slackPresence ? await context.slackPresence.home(mission) : homeWithoutSlack(mission);
      return {
        summary: `Started mission ${mission.id}: ${mission.title}\n${chips.join('\n')}\nIn Slack: ${slackHome.note}\n${describeNext(mission)}`,
        result: { mission: viewMission(mission), slackHome },
      };
    },
  });

  const updateBrief = defineTool({
    name: 'update_brief',
    title: 'Edit or lock the brief',
    description:
      'Edits the brief: edits replace (or add) chips with their full list of statements, remove drops chips, lock accepts the brief and moves the mission to Prepare (toolkits are then recommended). reopen unlocks a locked brief while toolkits are still being prepared. All checks run before anything is written.',
    input: updateBriefInput,
    output: z.object({ mission: missionView, applied: z.array(z.string()) }),
    readOnly: false,
    // Edits replace a chip's statements and remove drops chips: what was there is gone.
    destructive: true,
    async run(input, { actor }) {
      let mission = await service.getMission({ missionId: input.missionId });
      const changesChips = input.edits.length > 0 || input.remove.length > 0;
      // Checks the service would make on the first call anyway; made here so a later call cannot fail halfway.
      if (input.reopen && mission.state !== 'preparing') {
        throw new MissionError('transition_refused', `reopen: the brief can be reopened only while the mission is preparing; it is ${mission.state}.`, {
          field: 'reopen',
          state: mission.state,
        });
      }
      if (!input.reopen && (changesChips || input.lock) && mission.state !== 'defining') {
        const hint = mission.state === 'preparing' ? ' The brief is locked: pass reopen: true to unlock it first.' : '';
        throw new MissionError(
          'brief_locked',
          `Cannot change the brief: the mission is ${mission.state}, and the brief is edited while it is defining.${hint}`,
          { state: mission.state, field: 'edits' },
        );
      }
      for (const kind of input.remove) {
        if (!chipOf(mission.brief, kind))
          throw new MissionError('invalid_input', `remove: the brief has no ${CHIP_LABELS[kind]} chip to remove.`, { field: 'remove' });
      }
      if (input.lock && input.remove.includes('objective') && !input.edits.some((e) => e.kind === 'objective')) {
        throw new MissionError('precondition_failed', 'lock: the brief would have no objective after removing it. Keep or edit the objective chip to lock.', {
          field: 'lock',
        });
      }
      const applied: string[] = [];
      if (input.reopen) {
        mission = await service.define.reopenBrief({ missionId: mission.id }, actor);
        applied.push('reopened');
      }
      for (const edit of input.edits) {
        mission = await service.define.editChip({ missionId: mission.id, kind: edit.kind, items: edit.items }, actor);
        applied.push(`edited ${edit.kind}`);
      }
      for (const kind of input.remove) {
        mission = await service.define.removeChip({ missionId: mission.id, kind }, actor);
        applied.push(`removed ${kind}`);
      }
      if (input.lock) {
        mission = await service.define.lockBrief({ missionId: mission.id }, actor);
        applied.push('locked');
      }
      const toolkits =
        mission.state === 'preparing' ? `\nRecommended toolkits: ${mission.toolkits.map((t) => `${t.toolkitId} (${t.authStatus})`).join(', ')}` : '';
      return { summary: `Brief ${applied.join(', ')}.${toolkits}\n${describeNext(mission)}`, result: { mission: viewMission(mission), applied } };
    },
  });

  const selectToolkits = defineTool({
    name: 'select_toolkits',
    title: 'Select toolkits and report coverage',
    description: `Prepare: selects toolkits (github, linear, ...; defer: true to go on without connecting one), records what your read-only inspection of each found (status unknown|needs_auth|needs_data|blocked|degraded|ready, a summary and metrics) as reported by the assistant, and confirms the toolkits when the coverage meter reaches ${Math.round(COVERAGE_THRESHOLD * 100)}%, which moves the mission to Plan & Approve (the built-in planner and the library propose plays). The meter counts connectors' inspections and people only: your report counts once a person accepts it in Slack. Below the threshold only a person can override, in Slack.`,
    input: selectToolkitsToolInput,
    output: z.object({ mission: missionView, confirmed: z.boolean(), coverage: z.object({ meter: z.number(), threshold: z.number() }) }),
    readOnly: false,
    // The selection replaces the earlier one.
    destructive: true,
    async run(input, { actor }) {
      let mission = await service.getMission({ missionId: input.missionId });
      if (mission.state !== 'preparing') {
        throw new MissionError(
          'transition_refused',
          `Cannot select toolkits: the mission is ${mission.state}; toolkits are chosen while it is preparing.${mission.state === 'defining' ? ' Lock the brief first (update_brief with lock: true).' : ''}`,
          { state: mission.state },
        );
      }
      const selection = input.toolkits?.map((t) => t.toolkitId) ?? mission.toolkits.filter((t) => t.selected).map((t) => t.toolkitId);
      if (selection.length === 0) throw new MissionError('invalid_input', 'toolkits: no toolkit is selected yet; name at least one.', { field: 'toolkits' });
      input.coverage.forEach((entry, i) => {
        if (!selection.includes(entry.toolkitId)) {
          throw new MissionError('invalid_input', `coverage[${i}].toolkitId: ${entry.toolkitId} is not selected (selected: ${selection.join(', ')}).`, {
            field: `coverage[${i}].toolkitId`,
          });
        }
      });
      if (input.toolkits) mission = await service.prepare.selectToolkits({ missionId: mission.id, toolkits: input.toolkits }, actor);
      for (const entry of input.coverage) mission = await service.prepare.recordCoverage({ missionId: mission.id, ...entry }, actor);
      const meter = coverageMeter(mission);
      let confirmed = false;
      if (input.confirm && meter >= COVERAGE_THRESHOLD) {
        mission = await service.prepare.confirmToolkits({ missionId: mission.id }, actor);
        confirmed = true;
      }
      const reported = pendingReportedCoverage(mission).map((e) => e.toolkitId);
      const status = confirmed
        ? `Toolkits confirmed (coverage ${Math.round(meter * 100)}%); ${mission.plays.length} play(s) proposed so far.`
        : reported.length > 0
          ? `Not confirmed: coverage is ${Math.round(meter * 100)}% (${Math.round(COVERAGE_THRESHOLD * 100)}% needed to plan). Your coverage report for ${reported.join(', ')} is recorded as reported by the assistant and does not count until a person accepts it in Slack ("Accept reported coverage" on the toolkits message) or a connector inspects the toolkit. Then call select_toolkits again to confirm.`
          : `Coverage is ${Math.round(meter * 100)}% (${Math.round(COVERAGE_THRESHOLD * 100)}% needed to plan): inspect the selected toolkits and report coverage, defer unused ones, or ask a person to override in Slack.`;
      return {
        summary: `${status}\n${describeNext(mission)}`,
        result: { mission: viewMission(mission), confirmed, coverage: { meter, threshold: COVERAGE_THRESHOLD } },
      };
    },
  });

  const proposePlays = defineTool({
    name: 'propose_plays',
    title: 'Propose plays',
    description:
      "Plan: proposes 1-5 plays, each with phases and snake_case step ids (you report progress by these ids), an undo plan, the safeguards it enforces, a risk matrix and must-haves. They are ranked with the planner's and the library's plays by confidence, precedent, safeguard coverage and reversibility.",
    input: proposePlaysInput,
    output: z.object({ plays: z.array(playView), proposed: z.array(z.string()), next: nextView }),
    readOnly: false,
    async run(input, { actor }) {
      const { mission, plays } = await service.plan.proposePlays(input, actor);
      const proposed = plays.map((p) => p.id);
      const lines = mission.plays.map((p) => `${p.rank}. ${p.id} ${p.title} (score ${p.score}, risk ${p.riskLevel}, ${p.status})`);
      return {
        summary: `Proposed ${proposed.join(', ')}. Ranking:\n${lines.join('\n')}\n${describeNext(mission)}`,
        result: { plays: mission.plays.map(playOut), proposed, next: nextOut(mission) },
      };
    },
  });

  const requestApproval = defineTool({
    name: 'request_approval',
    title: 'Request approval',
    description:
      "Asks the approval policy's approvers (people in Slack, in the mission's channel and thread) to approve a play; playId selects that play first. Returns pending (or approved when the policy needs no approval at this risk). Assistants can never approve; call wait_for_approval to wait for the decision.",
    input: requestApprovalInput,
    output: z.object({
      status: z.enum(['pending', 'approved']),
      approval: approvalView,
      postedTo: approvalPostedTo.describe("Where the request went: the mission's thread (ids and link) and each approver sent it directly"),
      mission: missionRefView,
      next: nextView,
    }),
    readOnly: false,
    async run(input, { actor }) {
      const { mission } = await service.plan.requestApproval(input, actor);
      const approval = approvalOut(mission)!;
      const status = mission.state === 'awaiting_approval' ? ('pending' as const) : ('approved' as const);
      const postedTo =
        context.slackPresence && mission.approval ? await context.slackPresence.approvalDelivery(mission, mission.approval.id) : postedToWithoutSlack(mission);
      const summary =
        status === 'pending'
          ? `Approval requested: ${approval.required} approval(s) needed from ${awaitedApprovers(mission.approval!)}, expires ${approval.expiresAt}. ${postedTo.note}${postedTo.permalink ? ` ${postedTo.permalink}` : ''} Call wait_for_approval.`
          : `Approved by the policy (risk ${approval.riskLevel} needs no approval). ${describeNext(mission)}`;
      return {
        summary,
        result: { status, approval, postedTo, mission: missionRef(mission), next: nextOut(mission) },
      };
    },
  });

  const reportProgress = defineTool({
    name: 'report_progress',
    title: 'Report execution progress',
    description:
      "Execute: one report, chosen by kind; send only that kind's fields (each field's description says which kinds use it). phase_started / phase_completed (its quality gate must pass: latest tests passing, coverage target on the last phase, no open review alerts) / phase_failed (reason); step_completed (stepId from the play, durationMs, counts; a step not in the play needs deviation {rule, reason}); test_run (total, passing, failing, coverage 0..1); validator_alert (auto_fix or review_required, severity, description; review_required waits for a person); deviation (GSD rule 1-4; rule 4 stops for a person); usage (your own model, inputTokens, outputTokens, costUsd if known: counted against the mission budget; crossing it pauses reports until a person raises it). Only after approval, except usage.",
    input: progressReportInput,
    output: z.object({
      mission: missionRefView,
      phase: phaseOutcome.nullable(),
      alert: z.object({ id: z.string(), type: z.string(), status: z.string() }).nullable(),
      next: nextView,
    }),
    readOnly: false,
    async run(report, { actor }) {
      const { mission, alert } = await service.execute.reportProgress(report, actor);
      const phaseId = 'phaseId' in report ? report.phaseId : null; // a usage report names no phase
      const phase = mission.execution?.phases.find((p) => p.phaseId === phaseId) ?? null;
      const phaseResult = phase
        ? {
            phaseId: phase.phaseId,
            name: phase.name,
            status: phase.status,
            gate: phase.gate ? { passed: phase.gate.passed, failing: phase.gate.checks.filter((c) => !c.passed).map((c) => `${c.label}: ${c.detail}`) } : null,
          }
        : null;
      const alertText = alert
        ? ` Alert ${alert.id} (${alert.type}) is ${alert.status}${alert.status === 'open' ? ': a person must resolve it in Slack before the phase can complete' : ''}.`
        : '';
      return {
        summary: `Recorded ${report.kind}${phaseId ? ` for ${phaseId}` : ''}${phase ? ` (phase ${phase.status})` : ''}.${alertText} ${describeNext(mission)}`,
        result: {
          mission: missionRef(mission),
          phase: phaseResult,
          alert: alert ? { id: alert.id, type: alert.type, status: alert.status } : null,
          next: nextOut(mission),
        },
        mission, // next and resource links come from it, without reading the mission again (the hot path)
      };
    },
  });

  const attachEvidence = defineTool({
    name: 'attach_evidence',
    title: 'Attach evidence',
    description: `Attaches an artifact as evidence: kind markdown or file (content text), json (any JSON value, hashed in canonical form with sorted keys), or link (url). Optional phaseId, mediaType, CI checks ({name, conclusion}). Returns its sha256. Content over ${context.limits.maxEvidenceBytes} bytes is refused: attach a link instead. A review attached by an assistant does not count for the code-review gate.`,
    input: attachEvidenceInput,
    output: z.object({ artifact: artifactView, evidenceCount: z.number().int(), mission: missionRefView }),
    readOnly: false,
    precheck: (args) => checkEvidenceSize(args, context.limits.maxEvidenceBytes),
    async run(input, { actor }) {
      const { mission, artifact } = await service.execute.attachEvidence(input, actor);
      return {
        summary: `Attached "${artifact.name}" (${artifact.kind}, ${artifact.sizeBytes} bytes) sha256 ${artifact.sha256}.`,
        result: { artifact: artifactOut(artifact), evidenceCount: artifactCount(mission.evidence), mission: missionRef(mission) },
      };
    },
  });

  const completeMission = defineTool({
    name: 'complete_mission',
    title: 'Complete the mission',
    description:
      'Ends execution when every phase is completed and the mission gate passes on recorded evidence (tests, coverage, review recorded by a person or connector, CI checks); seals the evidence bundle (sha256 over all artifacts) and moves the mission to Reflect & Improve. A failing gate is refused with each missing piece named.',
    input: missionRefInput,
    output: z.object({
      mission: missionRefView,
      finalGate: z
        .object({ passed: z.boolean(), checks: z.array(z.object({ id: z.string(), label: z.string(), passed: z.boolean(), detail: z.string() })) })
        .nullable(),
      bundle: z.object({ manifestSha256: z.string(), artifactCount: z.number().int() }).nullable(),
      next: nextView,
    }),
    readOnly: false,
    // Seals the evidence bundle and ends execution: it cannot be undone.
    destructive: true,
    async run(input, { actor }) {
      const mission = await service.execute.completeMission(input, actor);
      const gate = mission.execution?.finalGate ?? null;
      const bundle = mission.evidence.bundle;
      return {
        summary: `Mission completed; evidence bundle ${bundle?.manifestSha256 ?? 'none'} (${bundle?.artifactCount ?? 0} artifacts). ${describeNext(mission)}`,
        result: {
          mission: missionRef(mission),
          finalGate: gate ? { passed: gate.passed, checks: gate.checks.map((c) => ({ id: c.id, label: c.label, passed: c.passed, detail: c.detail })) } : null,
          bundle: bundle ? { manifestSha256: bundle.manifestSha256, artifactCount: bundle.artifactCount } : null,
          next: nextOut(mission),
        },
      };
    },
  });

  const requestRollback = defineTool({
    name: 'request_rollback',
    title: 'Roll back',
    description:
      "Runs the approved play's undo plan and ends the mission rolled_back. Give the reason and, for steps you carried out yourself, stepsRun ({step, outcome done|failed, detail}); steps nobody ran are left to a person and listed as manual.",
    input: rollbackInput,
    output: z.object({
      mission: missionRefView,
      undo: z.object({ status: z.string(), stepsRun: z.array(z.object({ step: z.string(), outcome: z.string(), detail: z.string() })) }).nullable(),
    }),
    readOnly: false,
    destructive: true,
    async run(input, { actor }) {
      const mission = await service.execute.requestRollback(input, actor);
      const undo = mission.execution?.undo ?? null;
      const manual = undo?.stepsRun.filter((s) => s.outcome === 'manual').map((s) => s.step) ?? [];
      return {
        summary: `Mission ${mission.id} is ${mission.state}.${manual.length > 0 ? ` Left to a person: ${manual.join('; ')}.` : ''}`,
        result: { mission: missionRef(mission), undo: undo ? { status: undo.status, stepsRun: undo.stepsRun.map((s) => ({ ...s })) } : null },
      };
    },
  });

  const addFollowUp = defineTool({
    name: 'add_follow_up',
    title: 'Add a follow-up',
    description:
      'Records follow-up work found during the mission (title, priority urgent|high|medium|low); a connector files it in Linear or GitHub when one is connected.',
    input: followUpInput,
    output: z.object({
      followUp: z.object({ id: z.string(), title: z.string(), priority: z.string(), status: z.string(), tracker: z.string().nullable() }),
      mission: missionRefView,
    }),
    readOnly: false,
    async run(input, { actor }) {
      const { mission, followUp: f } = await service.reflect.addFollowUp(input, actor);
      return {
        summary: `Follow-up ${f.id} recorded: ${f.title} (${f.priority}).`,
        result: { followUp: { id: f.id, title: f.title, priority: f.priority, status: f.status, tracker: f.tracker }, mission: missionRef(mission) },
      };
    },
  });

  const submitRetrospective = defineTool({
    name: 'submit_retrospective',
    title: 'Submit the retrospective',
    description:
      'Reflect: logs what went well and what to improve, with metrics computed from the record (phases, steps, tests, coverage, gates, alerts, deviations), and closes the mission (done).',
    input: retrospectiveInput,
    output: z.object({ mission: missionRefView, metrics: z.record(z.string(), z.number().nullable()) }),
    readOnly: false,
    // Closes the mission (done): it cannot be undone.
    destructive: true,
    async run(input, { actor }) {
      const mission = await service.reflect.submitRetrospective(input, actor);
      const metrics = { ...(mission.reflection.retrospective?.metrics ?? {}) } as Record<string, number | null>;
      return { summary: `Retrospective logged; mission ${mission.id} is ${mission.state}.`, result: { mission: missionRef(mission), metrics } };
    },
  });

  const pullRequests = context.pullRequests;
  const linkPullRequest = pullRequests
    ? defineTool({
        name: 'link_pull_request',
        title: 'Link the pull request',
        description:
          "Has the GitHub connector read the mission's pull request (URL, owner/name#number, or a number in the configured repository): its state, head commit, check runs and reviews are attached as evidence by the connector, so they count for the code-review and CI gates. While checks are still running nothing is attached; call again when they finish.",
        input: linkPullRequestInput,
        output: z.object({ attached: z.boolean(), summary: z.string(), artifact: artifactView.nullable(), mission: missionRefView.nullable() }),
        readOnly: false,
        async run(input) {
          const result = await attachPullRequestEvidence(service, pullRequests, input);
          const summary = describePullRequest(result.snapshot);
          return result.attached
            ? {
                summary: `Attached PR ${summary}.`,
                result: { attached: true, summary, artifact: artifactOut(result.artifact), mission: missionRef(result.mission) },
              }
            : { summary: result.reason, result: { attached: false, summary: `${summary}. ${result.reason}`, artifact: null, mission: null } };
        },
      })
    : null;

  return [
    startMission,
    updateBrief,
    selectToolkits,
    proposePlays,
    requestApproval,
    reportProgress,
    attachEvidence,
    ...(linkPullRequest ? [linkPullRequest] : []),
    completeMission,
    requestRollback,
    addFollowUp,
    submitRetrospective,
  ];
}

const linkPullRequestInput = z.strictObject({
  missionId: missionIdSchema,
  pullRequest: z
    .string()
    .trim()
    .min(1, 'pullRequest: give the URL, owner/name#number or number')
    .max(500)
    .describe('The pull request: a URL ("https://github.com/acme/api/pull/482"), "acme/api#482", or a number in the configured repository ("482").'),
  phaseId: z.string().trim().min(1).max(64).optional().describe('The phase the pull request belongs to, e.g. "jwt_refresh_fix"; omit for the whole mission.'),
});

/** Refuses evidence over the configured size before anything else, naming the limit. */
function checkEvidenceSize(args: Record<string, unknown>, limit: number): void {
  const check = (field: 'content' | 'json', bytes: number) => {
    if (bytes > limit) {
      throw new MissionError(
        'invalid_input',
        `${field}: the artifact is ${bytes} bytes, over the evidence limit of ${limit} bytes (MCP_MAX_EVIDENCE_BYTES). Attach a link (kind "link" with url) to large artifacts, or attach a smaller excerpt.`,
        { field, limit, size: bytes },
      );
    }
  };
  if (typeof args.content === 'string') check('content', Buffer.byteLength(args.content, 'utf8'));
  if (args.json !== undefined) {
    let text: string;
    try {
      text = canonicalJson(args.json);
    } catch {
      throw new MissionError('invalid_input', 'json: the value cannot be serialised as JSON.', { field: 'json' });
    }
    check('json', Buffer.byteLength(text, 'utf8'));
  }
}
