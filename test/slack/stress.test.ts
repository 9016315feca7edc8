// Oversized missions (the largest the service accepts, and more): every surface still fits
// Slack's limits and says how much it left out.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import { CHIP_KINDS } from '../../src/domain/brief.js';
import type { ArtifactRecord } from '../../src/domain/evidence.js';
import type { PhaseProgress, ValidatorAlert } from '../../src/domain/execution.js';
import type { Mission, MissionSummary } from '../../src/domain/mission.js';
import type { Play } from '../../src/domain/plays.js';
import { alertMessage } from '../../src/slack/alertMessage.js';
import { appHome } from '../../src/slack/appHome.js';
import { approvalMessage } from '../../src/slack/approvalMessage.js';
import { checkBlockKitLimits } from '../../src/slack/blockKitLimits.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { executionStatus } from '../../src/slack/executionStatus.js';
import { chipEditModal, feedbackModal, pinToLibraryModal, rejectReasonModal, resolveAlertModal, rollbackModal } from '../../src/slack/modals.js';
import { playsMessage } from '../../src/slack/playsMessage.js';
import { reflectionMessage } from '../../src/slack/reflectionMessage.js';
import { toolkitMessage } from '../../src/slack/toolkitMessage.js';
import { missionListMessage, missionStatusMessage } from '../../src/slack/usageMessages.js';
import { buildSlackFixtures, type SlackFixtures } from './fixtureMissions.js';
import type { Surface } from './renderedSurfaces.js';
import { visibleText } from './surfaceHelpers.js';

/** Long text with characters mrkdwn must escape, which makes it longer still once rendered. */
const long = (n: number, label: string) => `${label} <&> `.padEnd(n, '<long & wordy> ').slice(0, n);
const ASSISTANT: Actor = { kind: 'mcp_token', id: 'claude-code-jordan' };
const AT = '2025-10-15T10:00:00.000Z';

let f: SlackFixtures;
let bigBrief: Mission;
let bigPlanning: Mission;
let bigExecuting: Mission;
let bigReflecting: Mission;

beforeAll(async () => {
  f = await buildSlackFixtures();
  bigBrief = {
    ...f.briefDrafted,
    brief: {
      ...f.briefDrafted.brief,
      chips: CHIP_KINDS.map((kind) => ({
        kind,
        items: Array.from({ length: 20 }, (_, i) => long(500, `${kind} ${i}`)),
        confidence: 'low',
        source: 'assistant',
      })),
    },
  };
  const base = f.playsRanked.plays.find((p) => p.status === 'selected')!;
  const bigPlay = (i: number, status: Play['status']): Play => ({
    ...base,
    id: `play_big_${i}`,
    title: long(200, `Play ${i}`),
    rationale: long(2000, 'rationale'),
    phases: Array.from({ length: 20 }, (_, p) => ({
      id: `phase_${p}`,
      name: long(200, `Phase ${p}`),
      steps: Array.from({ length: 50 }, (_, s) => ({ id: `step_${p}_${s}`, title: long(300, `Step ${p}.${s}`) })),
    })),
    undoPlan: { summary: long(1000, 'undo'), steps: Array.from({ length: 20 }, (_, s) => long(500, `undo step ${s}`)) },
    safeguardsEnforced: Array.from({ length: 20 }, (_, s) => long(500, `safeguard ${s}`)),
    risk: { ...base.risk, notes: long(1000, 'notes') },
    codeChangePreview: {
      filesToModify: 200,
      filesToCreate: 200,
      linesAdded: 99999,
      linesRemoved: 99999,
      files: Array.from({ length: 200 }, (_, k) => `src/file_${k}.ts`),
    },
    rank: i + 1,
    status,
    dismissedReason: status === 'dismissed' ? long(1000, 'dismissed because') : null,
  });
  const plays = [
    ...Array.from({ length: 12 }, (_, i) => bigPlay(i, i === 0 ? 'selected' : 'proposed')),
    ...Array.from({ length: 10 }, (_, i) => bigPlay(12 + i, 'dismissed')),
  ];
  bigPlanning = { ...bigBrief, state: 'planning', plays };

  const approved = { ...plays[0]!, status: 'approved' as const };
  const phases: PhaseProgress[] = approved.phases.map((phase, index) => {
    const done = index < 10 ? 50 : index === 10 ? 45 : 0;
    return {
      phaseId: phase.id,
      index,
      name: phase.name,
      status: index < 10 ? 'completed' : index === 10 ? 'running' : 'pending',
      startedAt: index <= 10 ? AT : null,
      completedAt: index < 10 ? AT : null,
      failureReason: null,
      steps: phase.steps.slice(0, done).map((s) => ({
        stepId: s.id,
        title: s.title,
        inPlan: true,
        durationMs: 1234,
        counts: Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`count_${k}`, k])),
        commit: null,
        at: AT,
      })),
      testRuns: index <= 10 ? [{ total: 5000, passing: 4990, failing: 10, coverage: 0.5, suite: long(200, 'suite'), at: AT }] : [],
      gate:
        index < 10
          ? {
              scope: 'phase',
              phaseId: phase.id,
              passed: false,
              checks: Array.from({ length: 6 }, () => ({
                id: 'tests_passing' as const,
                label: 'All tests passing',
                passed: false,
                detail: long(2000, 'detail'),
              })),
              evaluatedAt: AT,
            }
          : null,
    };
  });
  const alerts: ValidatorAlert[] = Array.from({ length: 300 }, (_, i) => ({
    id: `alr_${i}`,
    phaseId: 'phase_10',
    type: i % 3 === 0 ? 'auto_fix' : 'review_required',
    severity: 'high',
    description: long(2000, `alert ${i}`),
    status: i % 3 === 0 ? 'applied' : 'open',
    raisedBy: ASSISTANT,
    raisedAt: AT,
    resolution: null,
  }));
  const artifacts: ArtifactRecord[] = Array.from({ length: 300 }, (_, i) => ({
    id: `art_${String(i).padStart(4, '0')}`,
    name: long(200, `Artifact ${i}`),
    kind: 'link',
    mediaType: 'text/uri-list',
    sha256: 'ab'.repeat(32),
    sizeBytes: 10,
    url: `https://example.com/${'a'.repeat(1900)}/${i}`,
    phaseId: null,
    review: null,
    checks: null,
    attachedBy: ASSISTANT,
    attachedAt: AT,
  }));
  const decisions = Array.from({ length: 30 }, (_, i) => ({
    approverId: `U${i}`,
    approverName: null,
    decision: 'approved' as const,
    reason: long(2000, 'because'),
    at: AT,
  }));
  bigExecuting = {
    ...bigPlanning,
    state: 'executing',
    plays: [approved, ...plays.slice(1)],
    approval: {
      ...f.approvalDecided.approval!,
      playId: approved.id,
      eligibleApprovers: Array.from({ length: 50 }, (_, i) => `U${i}`),
      decisions,
      required: 40,
      status: 'requested',
    },
    execution: {
      playId: approved.id,
      startedAt: AT,
      completedAt: null,
      phases,
      alerts,
      deviations: Array.from({ length: 100 }, (_, i) => ({
        id: `dev_${i}`,
        phaseId: 'phase_3',
        rule: 3,
        description: long(1000, 'deviation'),
        reason: long(1000, 'reason'),
        stepId: null,
        at: AT,
      })),
      undo: { status: 'available', requestedBy: null, reason: null, stepsRun: [], requestedAt: null },
      finalGate: null,
    },
    evidence: { artifacts, bundle: null },
  };
  bigReflecting = {
    ...bigExecuting,
    state: 'reflecting',
    execution: { ...bigExecuting.execution!, completedAt: AT, finalGate: { scope: 'mission', phaseId: null, passed: true, checks: [], evaluatedAt: AT } },
    evidence: { artifacts, bundle: { manifestSha256: 'cd'.repeat(32), artifactCount: 300, entries: [], generatedAt: AT } },
    tags: Array.from({ length: 20 }, (_, i) => `tag-${i}-${'x'.repeat(40)}`),
    reflection: {
      feedback: {
        rating: 5,
        effortSavedHours: 9999,
        comments: long(5000, 'comments'),
        suggestedImprovements: long(5000, 'improve'),
        by: f.done.requester,
        at: AT,
      },
      followUps: Array.from({ length: 100 }, (_, i) => ({
        id: `fup_${i}`,
        title: long(300, `follow-up ${i}`),
        priority: 'high',
        status: 'open',
        tracker: 'linear',
        externalId: `ENG-${i}`,
        url: `https://linear.app/acme/issue/ENG-${i}`,
        createdBy: ASSISTANT,
        createdAt: AT,
      })),
      library: null,
      retrospective: {
        metrics: f.done.reflection.retrospective!.metrics,
        wentWell: Array.from({ length: 20 }, () => long(1000, 'well')),
        toImprove: Array.from({ length: 20 }, () => long(1000, 'improve')),
        by: f.done.requester,
        at: AT,
      },
    },
  };
});

function expectWithinLimits(surface: Surface): string {
  expect(checkBlockKitLimits(surface)).toEqual([]);
  return visibleText(surface);
}

describe('oversized missions stay within Block Kit limits and say what they left out', () => {
  it('brief card: 20 long items per chip', () => {
    const text = expectWithinLimits(briefCard(bigBrief));
    expect(text.match(/…and \d+ more items \(Edit shows them all\)/g)).toHaveLength(6);
    expect(text).toContain('confidence 🔴 Low');
    const modal = chipEditModal(bigBrief, 'scope');
    expectWithinLimits(modal);
    expect(modal.blocks.filter((b) => b.type === 'input')).toHaveLength(20);
    expectWithinLimits(missionStatusMessage(bigBrief));
  });

  it('plays: twelve plays of 20 phases × 50 steps, ten dismissed', () => {
    const text = expectWithinLimits(playsMessage(bigPlanning));
    expect(text).toContain(`…and 6 more plays, ranked lower (see \`/mission status ${bigPlanning.id}\`)`);
    expect(text).toMatch(/…and \d+ more phases/);
    expect(text).toMatch(/…and \d+ more undo steps/);
    expect(text).toMatch(/\*Dismissed \(10\)\*/);
  });

  it('execution status: 20 phases × 50 steps, 300 alerts, 100 deviations, 300 artifacts', () => {
    const message = executionStatus(bigExecuting);
    const text = expectWithinLimits(message);
    expect(text).toMatch(/…and \d+ more steps/);
    // The running step stays in view even though 45 steps before it are done.
    expect(text).toContain('✓ …45 earlier steps');
    expect(text).toMatch(/🔄 Step 10\.45 .*— running/);
    expect(text).toMatch(/…and \d+ more alerts/);
    expect(text).toMatch(/…and \d+ more deviations/);
    expect(text).toMatch(/…and \d+ more artifacts \(see `\/mission status/);
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(true);
    expectWithinLimits(alertMessage(bigExecuting, 'alr_1'));
    expectWithinLimits(resolveAlertModal(bigExecuting, 'alr_1', 'blocked'));
    expectWithinLimits(rollbackModal(bigExecuting));
    expectWithinLimits(missionStatusMessage(bigExecuting));
  });

  it('approval request: 50 approvers and 30 long decisions', () => {
    const text = expectWithinLimits(approvalMessage(bigExecuting));
    expect(text).toMatch(/…and \d+ more decisions/);
    expectWithinLimits(rejectReasonModal(bigExecuting, bigExecuting.approval!.id));
  });

  it('reflection: 300 artifacts, 100 follow-ups, long feedback and retrospective', () => {
    const text = expectWithinLimits(reflectionMessage(bigReflecting));
    expect(text).toContain('*Evidence bundle* · 300 artifacts');
    expect(text).toMatch(/…and \d+ more artifacts/);
    expect(text).toMatch(/…and \d+ more follow-ups/);
    expect(text).toMatch(/…and \d+ more notes/);
    expectWithinLimits(executionStatus(bigReflecting));
    expectWithinLimits(feedbackModal(bigReflecting));
    expectWithinLimits(pinToLibraryModal(bigReflecting));
    expectWithinLimits(toolkitMessage(bigReflecting));
  });

  it('App Home and /mission list: 60 approvals waiting and 500 missions', () => {
    const summaries: MissionSummary[] = Array.from({ length: 500 }, (_, i) => ({ ...f.summaries[0]!, id: `msn_${i}`, title: long(80, `Mission ${i}`) }));
    const waiting = Array.from({ length: 60 }, (_, i) => ({ ...f.approvalPending, id: `msn_w${i}`, title: long(80, `Waiting ${i}`) }));
    const home = appHome({ userId: 'U0ADVISOR', myMissions: summaries, awaitingMyApproval: waiting });
    const text = expectWithinLimits(home);
    expect(text).toContain('…and 20 more waiting for you');
    expect(text).toMatch(/…and \d+ more missions \(see `\/mission list`\)/);
    expect(expectWithinLimits(missionListMessage(summaries, { more: true }))).toMatch(/…and \d+ more missions/);
  });
});
