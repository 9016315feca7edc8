// Every Slack surface the fixtures cover, by fixture file (test/fixtures/slack/<file>.json)
// and case. The snapshot test compares each with its committed file.
import type { View } from '@slack/types';
import { alertMessage } from '../../src/slack/alertMessage.js';
import { uatMessage, uatResultModal } from '../../src/slack/uatMessage.js';
import { appHome, isAwaitingApprovalFrom } from '../../src/slack/appHome.js';
import { approvalDirectMessage, approvalMessage } from '../../src/slack/approvalMessage.js';
import type { SlackMessage } from '../../src/slack/blockKitLimits.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { executionStatus } from '../../src/slack/executionStatus.js';
import {
  cancelMissionModal,
  chipEditModal,
  dismissPlayModal,
  feedbackModal,
  pinToLibraryModal,
  playPlanModal,
  rejectReasonModal,
  resolveAlertModal,
  rollbackModal,
} from '../../src/slack/modals.js';
import { runInstructionsMessage } from '../../src/slack/runInstructions.js';
import type { Mission } from '../../src/domain/mission.js';
import type { ExecutorDispatch } from '../../src/domain/executorDispatch.js';
import { coverageOverrideModal, gateOverrideModal, recordReviewModal } from '../../src/slack/governanceModals.js';
import { playsMessage } from '../../src/slack/playsMessage.js';
import { reflectionMessage } from '../../src/slack/reflectionMessage.js';
import { releaseMessage } from '../../src/slack/releaseMessage.js';
import { toolkitMessage } from '../../src/slack/toolkitMessage.js';
import { notice } from '../../src/slack/interactionReplies.js';
import { helpMessage, missionListMessage, missionStatusMessage, usageMessage } from '../../src/slack/usageMessages.js';
import { SECURITY_LEAD } from '../support/seedJourney.js';
import { ADVISOR, JORDAN } from '../support/seedMission.js';
import type { SlackFixtures } from './fixtureMissions.js';

export type Surface = SlackMessage | View;

export function openAlertId(f: SlackFixtures): string {
  return f.executingMidPhase.execution!.alerts.find((a) => a.type === 'review_required')!.id;
}

export function renderSurfaces(f: SlackFixtures): Record<string, Record<string, Surface>> {
  const alertId = openAlertId(f);
  const stages = Object.entries(f).filter(([key]) => key !== 'summaries') as Array<[string, SlackFixtures['done']]>;
  return {
    briefCard: {
      briefDrafted: briefCard(f.briefDrafted),
      briefEdited: briefCard(f.briefEdited),
      locked: briefCard(f.toolkitsRecommended),
      cancelled: briefCard(f.cancelled),
    },
    toolkitMessage: {
      toolkitsRecommended: toolkitMessage(f.toolkitsRecommended),
      toolkitsInspected: toolkitMessage(f.toolkitsInspected),
      confirmed: toolkitMessage(f.playsRanked),
      belowThreshold: toolkitMessage(f.toolkitsBelowThreshold),
      coverageOverridden: toolkitMessage(f.coverageOverridden),
    },
    releaseMessage: {
      releaseCanary: releaseMessage(f.releaseCanary),
      releaseMonitoring: releaseMessage(f.releaseMonitoring),
      releaseWatched: releaseMessage(f.releaseWatched),
      releaseFailed: releaseMessage(f.releaseFailed),
      releaseFailedAlert: alertMessage(f.releaseFailed, f.releaseFailed.execution!.alerts.at(-1)!.id),
    },
    playsMessage: {
      playsRanked: playsMessage(f.playsRanked),
      approvalPending: playsMessage(f.approvalPending),
      approvalRejected: playsMessage(f.approvalRejected),
    },
    // One approver's copy: the mission's thread in a channel, in the requester's DM, or none.
    approvalDirectMessage: {
      pendingHomeInChannel: approvalDirectMessage(f.approvalPending, f.approvalPending.approval!.id, {
        channelId: 'C0MISSIONS',
        permalink: 'https://fake.slack.com/archives/C0MISSIONS/p1697362200000100?thread_ts=1697362020.000100&cid=C0MISSIONS',
      }),
      pendingHomeInDm: approvalDirectMessage(f.approvalPending, f.approvalPending.approval!.id, { channelId: 'D0JORDAN' }),
      pendingNoHome: approvalDirectMessage(f.approvalPending, f.approvalPending.approval!.id, null),
      decided: approvalDirectMessage(f.approvalDecided, f.approvalDecided.approval!.id, { channelId: 'C0MISSIONS' }),
    },
    approvalMessage: {
      approvalPending: approvalMessage(f.approvalPending),
      approvalPartial: approvalMessage(f.approvalPartial),
      approvalDecided: approvalMessage(f.approvalDecided),
      approvalRejected: approvalMessage(f.approvalRejected),
      cancelled: approvalMessage(f.cancelled),
    },
    executionStatus: {
      approvalDecided: executionStatus(f.approvalDecided),
      executingMidPhase: executionStatus(f.executingMidPhase),
      executionFailedPhase: executionStatus(f.executionFailedPhase),
      reflecting: executionStatus(f.reflecting),
      rolledBack: executionStatus(f.rolledBack),
      gateOverridden: executionStatus(f.gateOverridden),
      cancelledMidPhase: executionStatus(f.cancelledMidPhase),
      failedMidPhase: executionStatus(f.failedMidPhase),
      rolledBackMidPhase: executionStatus(f.rolledBackMidPhase),
    },
    alertMessage: {
      open: alertMessage(f.executingMidPhase, alertId),
      resolved: alertMessage(f.alertResolved, alertId),
      leftOpenOnCancel: alertMessage(f.cancelledMidPhase, f.cancelledMidPhase.execution!.alerts[0]!.id),
    },
    uatMessage: {
      pending: uatMessage(f.gateOverridden),
      signedOff: uatMessage(f.reflecting),
      failModal: uatResultModal(f.gateOverridden, 'truth_1', 'fail'),
    },
    reflectionMessage: {
      reflecting: reflectionMessage(f.reflecting),
      feedbackGiven: reflectionMessage(f.feedbackGiven),
      done: reflectionMessage(f.done),
      withOverrides: reflectionMessage(f.completedWithOverrides),
    },
    modals: {
      chipEdit: chipEditModal(f.briefEdited, 'safeguards'),
      rejectReason: rejectReasonModal(f.approvalPending, f.approvalPending.approval!.id),
      resolveAlert: resolveAlertModal(f.executingMidPhase, alertId, 'accepted'),
      blockAlert: resolveAlertModal(f.executingMidPhase, alertId, 'blocked'),
      rollback: rollbackModal(f.executingMidPhase),
      cancelMission: cancelMissionModal(f.briefDrafted),
      feedback: feedbackModal(f.reflecting),
      pinToLibrary: pinToLibraryModal(f.reflecting),
      coverageOverride: coverageOverrideModal(f.toolkitsBelowThreshold),
      approveReview: recordReviewModal(f.executingMidPhase, 'approved'),
      requestChanges: recordReviewModal(f.executingMidPhase, 'changes_requested'),
      gateOverride: gateOverrideModal(f.executingMidPhase),
      playPlan: playPlanModal(f.approvalPending, f.approvalPending.plays.find((p) => p.id === f.approvalPending.approval!.playId)!),
      dismissPlay: dismissPlayModal(f.playsRanked, f.playsRanked.plays[1]!),
    },
    runInstructions: {
      approvedNoExecutor: runInstructionsMessage(f.approvalDecided),
      dispatching: runInstructionsMessage(withDispatch(f.approvalDecided, { status: 'requested' })),
      dispatched: runInstructionsMessage(
        withDispatch(f.approvalDecided, { status: 'dispatched', runsUrl: 'https://github.com/jordan-nakamura/legaltech-mvp/actions/workflows/mission.yml' }),
      ),
      dispatchFailed: runInstructionsMessage(
        withDispatch(f.approvalDecided, {
          status: 'failed',
          error:
            'GitHub found no workflow "mission.yml" in jordan-nakamura/legaltech-mvp (404): add .github/workflows/mission.yml with a workflow_dispatch trigger to its default branch.',
        }),
      ),
      reflecting: runInstructionsMessage(f.reflecting),
    },
    appHome: {
      advisorWithApprovalWaiting: appHome({
        userId: ADVISOR.id,
        myMissions: [],
        awaitingMyApproval: [f.approvalPending].filter((m) => isAwaitingApprovalFrom(m, ADVISOR.id)),
      }),
      requester: appHome({
        userId: JORDAN.id,
        myMissions: f.summaries.filter((s) => s.requester.kind === 'slack_user' && s.requester.id === JORDAN.id),
        awaitingMyApproval: [],
      }),
      // A click on the Home that was refused: the reason is shown at the top of the Home.
      refusedClick: appHome({
        userId: ADVISOR.id,
        myMissions: [],
        awaitingMyApproval: [],
        notice: notice(`⚠️ This approval request was already approved by <@${SECURITY_LEAD.id}> at ${f.approvalDecided.approval!.decidedAt}.`).blocks,
      }),
      securityLeadAfterPartial: appHome({
        userId: SECURITY_LEAD.id,
        myMissions: [],
        awaitingMyApproval: [f.approvalPartial].filter((m) => isAwaitingApprovalFrom(m, SECURITY_LEAD.id)),
      }),
    },
    usageMessages: {
      help: helpMessage(),
      unknownSubcommand: usageMessage('Unknown subcommand `stauts`. To start a mission, describe it in a few words.'),
      list: missionListMessage(f.summaries),
      emptyList: missionListMessage([]),
    },
    missionStatus: Object.fromEntries(stages.map(([stage, mission]) => [stage, missionStatusMessage(mission)])),
  };
}

/** The mission with a CI dispatch in the given state (what the executor consumer records). */
function withDispatch(mission: Mission, change: Partial<ExecutorDispatch>): Mission {
  const dispatch: ExecutorDispatch = {
    executor: 'github_actions',
    repository: 'jordan-nakamura/legaltech-mvp',
    workflow: 'mission.yml',
    ref: null,
    status: 'requested',
    requestedAt: mission.execution!.startedAt,
    decidedAt: change.status && change.status !== 'requested' ? mission.execution!.startedAt : null,
    runsUrl: null,
    error: null,
    ...change,
  };
  return { ...mission, execution: { ...mission.execution!, dispatch } };
}
