// The mission as an assistant reads it (get_mission, mission://{id}): everything needed to act,
// nothing it cannot use (no hash-chain internals, no evidence content). The zod schemas are
// the tools' output schemas; the builders are pure functions of the mission.
import { z } from 'zod';
import { approvalsGiven } from '../domain/approvalPolicy.js';
import { CHIP_LABELS } from '../domain/brief.js';
import { COVERAGE_THRESHOLD, coverageMeter, latestEntry, latestReadiness, pendingReportedCoverage, type Mission } from '../domain/mission.js';
import type { MissionSummary } from '../domain/mission.js';
import { STAGE_OF_STATE } from '../domain/missionStateMachine.js';
import { deviationCount, phaseHistory, type GateResult } from '../domain/execution.js';
import { artifactCount } from '../domain/evidence.js';
import type { Play } from '../domain/plays.js';
import { nextOut, nextView } from './nextActions.js';

// Next steps live in nextActions.ts; re-exported for the tools that build views here.
export { nextOut, nextView, TOOL_FOR_ACTION } from './nextActions.js';

const actorView = z.object({ kind: z.string(), id: z.string(), name: z.string().optional(), onBehalfOf: z.string().optional() });

export const missionRefView = z.object({
  id: z.string(),
  title: z.string(),
  state: z.string(),
  stage: z.string(),
  version: z.number().int(),
});

const gateView = z.object({
  passed: z.boolean(),
  checks: z.array(z.object({ id: z.string(), label: z.string(), passed: z.boolean(), detail: z.string() })),
  evaluatedAt: z.string(),
});

export const playView = z.object({
  id: z.string(),
  title: z.string(),
  rank: z.number().int(),
  score: z.number(),
  status: z.string(),
  source: z.string(),
  confidence: z.number(),
  riskLevel: z.string(),
  rationale: z.string(),
  phases: z.array(z.object({ id: z.string(), name: z.string(), steps: z.array(z.object({ id: z.string(), title: z.string() })) })),
  undoPlan: z.object({ summary: z.string(), steps: z.array(z.string()) }),
  safeguardsEnforced: z.array(z.string()),
  estimatedDurationMinutes: z.number(),
  dismissedReason: z.string().nullable(),
});

export const approvalView = z.object({
  id: z.string(),
  playId: z.string(),
  status: z.string(),
  riskLevel: z.string(),
  required: z.number().int(),
  given: z.number().int(),
  eligibleApprovers: z.array(z.string()),
  /** Slack user groups whose members may approve. */
  eligibleGroups: z.array(z.string()),
  /** Of the approvals required, at least `count` from members of `groupId`. */
  quota: z.object({ groupId: z.string(), count: z.number().int() }).nullable(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
  decisions: z.array(z.object({ approverId: z.string(), decision: z.string(), reason: z.string().nullable(), at: z.string() })),
});

const phaseView = z.object({
  phaseId: z.string(),
  name: z.string(),
  status: z.string(),
  stepsReported: z.number().int(),
  latestTestRun: z.object({ total: z.number(), passing: z.number(), failing: z.number(), coverage: z.number().nullable() }).nullable(),
  gate: gateView.nullable(),
  failureReason: z.string().nullable(),
});

const alertView = z.object({ id: z.string(), phaseId: z.string(), type: z.string(), severity: z.string(), description: z.string(), status: z.string() });

export const artifactView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  mediaType: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  url: z.string().nullable(),
  phaseId: z.string().nullable(),
  attachedBy: z.string(),
  attachedAt: z.string(),
});

const historyView = z.object({ count: z.number().int(), uri: z.string() });

export const missionView = z.object({
  id: z.string(),
  title: z.string(),
  intent: z.string(),
  state: z.string(),
  stage: z.string(),
  version: z.number().int(),
  requester: actorView,
  channelId: z.string().nullable(),
  threadTs: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  brief: z.object({
    lockedAt: z.string().nullable(),
    editsMade: z.number().int(),
    chips: z.array(
      z.object({
        kind: z.string(),
        label: z.string(),
        items: z.array(z.string()),
        confidence: z.string(),
        source: z.string(),
        quote: z.string().optional().describe("The intent's sentence the chip came from (model drafts)"),
        inferred: z.array(z.string()).optional().describe('Items the drafter inferred; a person keeps them by editing the chip, or removes them'),
      }),
    ),
    drafting: z
      .object({ status: z.string(), drafter: z.string(), reason: z.string().nullable() })
      .optional()
      .describe('Model drafting: drafting, drafted, or fallback (the built-in draft stands in, with the reason)'),
  }),
  models: z
    .object({
      budgetUsd: z.number().nullable(),
      spentUsd: z.number(),
      calls: z.number().int(),
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      paused: z.boolean(),
    })
    .optional()
    .describe('Model tokens and cost recorded on the mission, and its budget (execution reports pause while spend is over it)'),
  toolkits: z.array(
    z.object({
      toolkitId: z.string(),
      recommended: z.boolean(),
      selected: z.boolean(),
      authStatus: z.string(),
      readiness: z.string().describe('What the meter counts: the latest inspection by a connector or a person (unknown without one).'),
      reportedByAssistant: z
        .object({ status: z.string(), summary: z.string(), recordedAt: z.string() })
        .nullable()
        .describe("The assistant's latest report when no connector or person confirmed it since: shown, not counted, until a person accepts it in Slack."),
      confidence: z.number(),
      precedentCount: z.number(),
      rationale: z.string(),
    }),
  ),
  coverage: z.object({
    meter: z.number().describe('Coverage from connector inspections and people only'),
    threshold: z.number(),
    overridden: z.boolean(),
    reportedByAssistant: z
      .array(z.string())
      .describe('Toolkits whose coverage only the assistant reported: a person accepts it in Slack, or a connector inspects it'),
  }),
  plays: z.array(playView),
  approval: approvalView.nullable(),
  execution: z
    .object({
      playId: z.string(),
      startedAt: z.string(),
      completedAt: z.string().nullable(),
      phases: z.array(phaseView),
      alerts: z.array(alertView),
      deviations: z.number().int(),
      undo: z.string(),
      finalGate: gateView.nullable(),
      dispatch: z
        .object({
          executor: z.string(),
          repository: z.string(),
          workflow: z.string(),
          ref: z.string().nullable(),
          status: z.enum(['requested', 'dispatched', 'failed']),
          runsUrl: z.string().nullable(),
          error: z.string().nullable(),
        })
        .nullable()
        .describe(
          'The CI run the mission was handed to (GitHub Actions workflow_dispatch), if any. While requested or dispatched, the CI agent executes it: do not run it from here as well.',
        ),
    })
    .nullable(),
  evidence: z.object({
    count: z.number().int(),
    artifacts: z
      .array(artifactView)
      .describe(
        'The latest artifacts (and older ones the gates still read: the latest review, check results and pull request link); count says how many there are, history.artifacts pages them all.',
      ),
    bundle: z.object({ manifestSha256: z.string(), artifactCount: z.number().int(), generatedAt: z.string() }).nullable(),
  }),
  reflection: z.object({
    rating: z.number().nullable(),
    followUps: z.array(z.object({ id: z.string(), title: z.string(), priority: z.string(), status: z.string(), externalId: z.string().nullable() })),
    pinnedToLibrary: z.boolean(),
    retrospectiveLogged: z.boolean(),
  }),
  history: z
    .object({ events: historyView, testRuns: historyView, steps: historyView, artifacts: historyView })
    .describe(
      "How much history the mission holds and where to read it: MCP resources in pages, oldest first; each page names the next. The fields above carry only the latest entries (e.g. each phase's latest test run).",
    ),
  next: nextView,
});

export type MissionView = z.infer<typeof missionView>;

export const missionSummaryView = z.object({
  id: z.string(),
  title: z.string(),
  state: z.string(),
  stage: z.string(),
  requester: actorView,
  channelId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

function reportedOut(mission: Mission, toolkitId: string): { status: string; summary: string; recordedAt: string } | null {
  const latest = latestEntry(mission.coverage, toolkitId);
  return latest?.recordedBy === 'assistant' ? { status: latest.status, summary: latest.summary, recordedAt: latest.recordedAt } : null;
}

function actorOut(actor: Mission['requester']): z.infer<typeof actorView> {
  return { ...actor };
}

function gateOut(gate: GateResult | null): z.infer<typeof gateView> | null {
  return gate
    ? { passed: gate.passed, checks: gate.checks.map((c) => ({ id: c.id, label: c.label, passed: c.passed, detail: c.detail })), evaluatedAt: gate.evaluatedAt }
    : null;
}

export function playOut(play: Play): z.infer<typeof playView> {
  return {
    id: play.id,
    title: play.title,
    rank: play.rank,
    score: play.score,
    status: play.status,
    source: play.source,
    confidence: play.confidence,
    riskLevel: play.riskLevel,
    rationale: play.rationale,
    phases: play.phases.map((p) => ({ id: p.id, name: p.name, steps: p.steps.map((s) => ({ id: s.id, title: s.title })) })),
    undoPlan: { summary: play.undoPlan.summary, steps: [...play.undoPlan.steps] },
    safeguardsEnforced: [...play.safeguardsEnforced],
    estimatedDurationMinutes: play.estimatedDurationMinutes,
    dismissedReason: play.dismissedReason,
  };
}

export function approvalOut(mission: Mission): z.infer<typeof approvalView> | null {
  const a = mission.approval;
  if (!a) return null;
  return {
    id: a.id,
    playId: a.playId,
    status: a.status,
    riskLevel: a.riskLevel,
    required: a.required,
    given: approvalsGiven(a),
    eligibleApprovers: [...a.eligibleApprovers],
    eligibleGroups: [...(a.eligibleGroups ?? [])],
    quota: a.quota ? { groupId: a.quota.groupId, count: a.quota.count } : null,
    requestedAt: a.requestedAt,
    expiresAt: a.expiresAt,
    decidedAt: a.decidedAt,
    decisions: a.decisions.map((d) => ({ approverId: d.approverId, decision: d.decision, reason: d.reason, at: d.at })),
  };
}

export function artifactOut(a: Mission['evidence']['artifacts'][number]): z.infer<typeof artifactView> {
  return {
    id: a.id,
    name: a.name,
    kind: a.kind,
    mediaType: a.mediaType,
    sha256: a.sha256,
    sizeBytes: a.sizeBytes,
    url: a.url,
    phaseId: a.phaseId,
    attachedBy: a.attachedBy.id,
    attachedAt: a.attachedAt,
  };
}

export function missionRef(mission: Mission): z.infer<typeof missionRefView> {
  return { id: mission.id, title: mission.title, state: mission.state, stage: STAGE_OF_STATE[mission.state], version: mission.version };
}

export function viewMission(mission: Mission): MissionView {
  const execution = mission.execution;
  return {
    id: mission.id,
    title: mission.title,
    intent: mission.intent,
    state: mission.state,
    stage: STAGE_OF_STATE[mission.state],
    version: mission.version,
    requester: actorOut(mission.requester),
    channelId: mission.channelId,
    threadTs: mission.threadTs,
    tags: [...mission.tags],
    createdAt: mission.createdAt.toISOString(),
    updatedAt: mission.updatedAt.toISOString(),
    brief: {
      lockedAt: mission.brief.lockedAt,
      editsMade: mission.brief.editsMade,
      chips: mission.brief.chips.map((c) => ({
        kind: c.kind,
        label: CHIP_LABELS[c.kind],
        items: [...c.items],
        confidence: c.confidence,
        source: c.source,
        ...(c.quote ? { quote: c.quote } : {}),
        ...(c.inferred?.length ? { inferred: [...c.inferred] } : {}),
      })),
      ...(mission.brief.drafting ? { drafting: { ...mission.brief.drafting } } : {}),
    },
    ...(mission.models
      ? {
          models: {
            budgetUsd: mission.models.budgetUsd,
            spentUsd: mission.models.total.costUsd,
            calls: mission.models.total.calls,
            inputTokens: mission.models.total.inputTokens,
            outputTokens: mission.models.total.outputTokens,
            paused: mission.models.pausedAt !== null,
          },
        }
      : {}),
    toolkits: mission.toolkits.map((t) => ({
      toolkitId: t.toolkitId,
      recommended: t.recommended,
      selected: t.selected,
      authStatus: t.authStatus,
      readiness: latestReadiness(mission.coverage, t.toolkitId),
      reportedByAssistant: reportedOut(mission, t.toolkitId),
      confidence: t.confidence,
      precedentCount: t.precedentCount,
      rationale: t.rationale,
    })),
    coverage: {
      meter: coverageMeter(mission),
      threshold: COVERAGE_THRESHOLD,
      overridden: mission.coverage.override !== null,
      reportedByAssistant: pendingReportedCoverage(mission).map((e) => e.toolkitId),
    },
    plays: mission.plays.map(playOut),
    approval: approvalOut(mission),
    execution: execution
      ? {
          playId: execution.playId,
          startedAt: execution.startedAt,
          completedAt: execution.completedAt,
          phases: execution.phases.map((p) => {
            const latest = p.testRuns[p.testRuns.length - 1];
            return {
              phaseId: p.phaseId,
              name: p.name,
              status: p.status,
              stepsReported: phaseHistory(p).stepCount,
              latestTestRun: latest ? { total: latest.total, passing: latest.passing, failing: latest.failing, coverage: latest.coverage } : null,
              gate: gateOut(p.gate),
              failureReason: p.failureReason,
            };
          }),
          alerts: execution.alerts.map((a) => ({
            id: a.id,
            phaseId: a.phaseId,
            type: a.type,
            severity: a.severity,
            description: a.description,
            status: a.status,
          })),
          deviations: deviationCount(execution),
          undo: execution.undo.status,
          finalGate: gateOut(execution.finalGate),
          dispatch: execution.dispatch
            ? {
                executor: execution.dispatch.executor,
                repository: execution.dispatch.repository,
                workflow: execution.dispatch.workflow,
                ref: execution.dispatch.ref,
                status: execution.dispatch.status,
                runsUrl: execution.dispatch.runsUrl,
                error: execution.dispatch.error,
              }
            : null,
        }
      : null,
    evidence: {
      count: artifactCount(mission.evidence),
      artifacts: mission.evidence.artifacts.map(artifactOut),
      bundle: mission.evidence.bundle
        ? {
            manifestSha256: mission.evidence.bundle.manifestSha256,
            artifactCount: mission.evidence.bundle.artifactCount,
            generatedAt: mission.evidence.bundle.generatedAt,
          }
        : null,
    },
    reflection: {
      rating: mission.reflection.feedback?.rating ?? null,
      followUps: mission.reflection.followUps.map((f) => ({ id: f.id, title: f.title, priority: f.priority, status: f.status, externalId: f.externalId })),
      pinnedToLibrary: mission.reflection.library !== null,
      retrospectiveLogged: mission.reflection.retrospective !== null,
    },
    history: historyOut(mission),
    next: nextOut(mission),
  };
}

/** Counts and first pages of the mission's histories (served by missionResources.ts). */
function historyOut(mission: Mission): z.infer<typeof missionView>['history'] {
  const phases = mission.execution?.phases ?? [];
  const base = `mission://${encodeURIComponent(mission.id)}`;
  return {
    events: { count: mission.eventSeq, uri: `${base}/events` },
    testRuns: { count: phases.reduce((sum, p) => sum + phaseHistory(p).testRunCount, 0), uri: `${base}/test-runs` },
    steps: { count: phases.reduce((sum, p) => sum + phaseHistory(p).stepCount, 0), uri: `${base}/steps` },
    artifacts: { count: artifactCount(mission.evidence), uri: `${base}/artifacts` },
  };
}

export function viewSummary(summary: MissionSummary): z.infer<typeof missionSummaryView> {
  return {
    id: summary.id,
    title: summary.title,
    state: summary.state,
    stage: STAGE_OF_STATE[summary.state],
    requester: actorOut(summary.requester),
    channelId: summary.channelId,
    createdAt: summary.createdAt.toISOString(),
    updatedAt: summary.updatedAt.toISOString(),
  };
}

/** One line for the text part of a tool result: what the mission is now and what comes next. */
export function describeNext(mission: Mission): string {
  const next = nextOut(mission);
  const mine = next.steps.filter((s) => s.who !== 'person' && s.tool).map((s) => s.tool);
  const unique = [...new Set(mine)];
  const waiting = next.waitingFor ? ` Waiting for ${next.waitingFor}.` : '';
  return `Mission ${mission.id} is ${mission.state} (v${mission.version}).${waiting}${unique.length > 0 ? ` Next tools: ${unique.join(', ')}.` : ''}`;
}
