// Prepare: the recommended toolkits with rationale, precedent and auth status, what the
// read-only inspection found, the coverage meter, a selection control and Confirm.
import type { KnownBlock, Option } from '@slack/types';
import {
  COVERAGE_THRESHOLD,
  coverageIfAccepted,
  coverageMeter,
  latestEntry,
  latestVerifiedEntry,
  pendingReportedCoverage,
  type CoverageEntry,
  type Mission,
  type MissionToolkit,
} from '../domain/mission.js';
import { findToolkit, type AuthStatus, type Readiness } from '../domain/toolkits.js';
import { TOOLKIT_CREDENTIAL_VARIABLES } from '../connectors/credentials/toolkitCredentialVariables.js';
import { plural } from '../domain/text/englishLists.js';
import { percent } from '../domain/text/numbers.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS, truncate, type SlackMessage } from './blockKitLimits.js';
import { actions, button, confirmDialog, context, header, plain, section } from './blocks.js';
import { fallbackText, safe, slackDate, who } from './format.js';

const AUTH_LABEL: Record<AuthStatus, string> = {
  ready: '🟢 connected',
  needs_auth: '🟡 needs auth',
  deferred: '⏸️ deferred: not needed for this mission',
  degraded: '🟠 degraded',
  unknown: '⚪ auth unknown',
};

const READINESS_LABEL: Record<Readiness, string> = {
  ready: '✅ ready',
  degraded: '🟠 degraded',
  needs_data: '🟡 needs data',
  needs_auth: '🟡 needs auth',
  blocked: '⛔ blocked',
  unknown: '⚪ not inspected',
};

/** Toolkit cards shown in full; the catalog is small, but a message must stay bounded anyway. */
const MAX_TOOLKIT_SECTIONS = 20;

const nameOf = (toolkitId: string) => findToolkit(toolkitId)?.name ?? toolkitId;

export function toolkitMessage(mission: Mission): SlackMessage {
  const preparing = mission.state === 'preparing';
  const listed = mission.toolkits.filter((t) => t.recommended || t.selected);
  const shown = listed.slice(0, MAX_TOOLKIT_SECTIONS);
  const coverage = coverageMeter(mission);
  const blocks: KnownBlock[] = [
    header(`Toolkits for ${mission.title}`),
    context([`\`${mission.id}\` · ${preparing ? 'Select the toolkits this mission may use, then Confirm.' : 'Toolkits confirmed.'}`]),
    ...shown.map((t) => section(toolkitText(mission, t), preparing && t.selected && t.authStatus !== 'deferred' ? deferButton(mission, t) : undefined)),
  ];
  if (listed.length > shown.length) blocks.push(context([`…and ${listed.length - shown.length} more toolkits`]));
  if (listed.length === 0) blocks.push(section('_No toolkit was recommended._'));
  const override = mission.coverage.override;
  const below = coverage < COVERAGE_THRESHOLD;
  const reported = preparing ? pendingReportedCoverage(mission) : [];
  blocks.push(
    context([
      override
        ? `⚠️ *OVERRIDE, not a pass:* coverage ${percent(override.coverage)} of the ${percent(COVERAGE_THRESHOLD)} needed to plan · by ${who(override.by)} ${slackDate(override.at)}: ${safe(override.reason)}`
        : `Coverage ${percent(coverage)} of the ${percent(COVERAGE_THRESHOLD)} needed to plan` +
          (!below ? ' ✅' : preparing ? ' · Inspect again, Defer the toolkits this mission does not need, or Override coverage with a reason' : ''),
    ]),
  );
  if (reported.length > 0) {
    // The assistant's word is not an inspection: say what accepting it would change.
    blocks.push(
      context([
        `🗣️ Reported by the assistant, not inspected by a connector: ${reported.map((e) => safe(nameOf(e.toolkitId))).join(', ')}. ` +
          `Accepting the report makes coverage ${percent(coverageIfAccepted(mission))}; Inspect again asks the connectors instead.`,
      ]),
    );
  }
  if (preparing && listed.length > 0) {
    const options = listed.slice(0, LIMITS.checkboxOptions).map(toolkitOption);
    const selected = listed
      .slice(0, LIMITS.checkboxOptions)
      .filter((t) => t.selected)
      .map(toolkitOption);
    const value = { missionId: mission.id, version: mission.version };
    const anySelected = mission.toolkits.some((t) => t.selected);
    blocks.push(
      actions('toolkit_actions', [
        { type: 'checkboxes', action_id: ACTION_IDS.toolkitsSelect, options, ...(selected.length > 0 ? { initial_options: selected } : {}) },
        button({ text: 'Confirm toolkits', actionId: ACTION_IDS.toolkitsConfirm, value, style: 'primary' }),
        ...(anySelected ? [button({ text: 'Inspect again', actionId: ACTION_IDS.toolkitsInspect, value })] : []),
        ...(reported.length > 0 ? [acceptReportedButton(mission, reported)] : []),
        ...(anySelected && below ? [button({ text: 'Override coverage…', actionId: ACTION_IDS.coverageOverrideOpen, value })] : []),
      ]),
    );
  }
  const chosen = mission.toolkits.filter((t) => t.selected).map((t) => nameOf(t.toolkitId));
  const text = `Toolkits for “${mission.title}” (${mission.id}): ${plural(listed.length, 'recommendation')}; ${chosen.length > 0 ? `selected ${chosen.join(', ')}` : 'none selected yet'}.`;
  return { text: fallbackText(text), blocks };
}

/** A person vouches for what the assistant reported; the confirm dialog says what they accept. */
function acceptReportedButton(mission: Mission, reported: readonly CoverageEntry[]) {
  const names = reported.map((e) => nameOf(e.toolkitId)).join(', ');
  return button({
    text: 'Accept reported coverage',
    actionId: ACTION_IDS.coverageAcceptReported,
    value: { missionId: mission.id, version: mission.version },
    confirm: confirmDialog(
      'Accept the assistant’s report?',
      `No connector inspected ${names}. Accepting records the assistant’s findings as yours, and coverage becomes ${percent(coverageIfAccepted(mission))}.`,
      'Accept',
    ),
  });
}

/** "Not needed for this mission": the toolkit stops counting against coverage. */
function deferButton(mission: Mission, t: MissionToolkit) {
  return button({
    text: 'Defer',
    actionId: ACTION_IDS.toolkitDefer,
    value: { missionId: mission.id, toolkitId: t.toolkitId, version: mission.version },
    confirm: confirmDialog(
      `Defer ${nameOf(t.toolkitId)}?`,
      `Not needed for this mission: ${nameOf(t.toolkitId)} stays selected for manual updates but no longer counts against coverage.`,
      'Defer',
    ),
  });
}

function toolkitText(mission: Mission, t: MissionToolkit): string {
  const mark = t.selected ? '☑️' : '⬜';
  const precedent = t.precedentCount === 0 ? 'no precedent yet' : `precedent: ${plural(t.precedentCount, 'similar mission')}`;
  const variables = TOOLKIT_CREDENTIAL_VARIABLES[t.toolkitId] ?? [];
  const needs = t.authStatus === 'needs_auth' && variables.length > 0 ? ` (set ${variables.map((v) => `\`${v}\``).join(', ')})` : '';
  // Once inspected, the inspection's readiness is the toolkit's real state; before that, its auth status.
  const verified = t.authStatus === 'deferred' ? undefined : latestVerifiedEntry(mission.coverage, t.toolkitId);
  const latest = t.authStatus === 'deferred' ? undefined : latestEntry(mission.coverage, t.toolkitId);
  const state = verified ? READINESS_LABEL[verified.status] : latest ? '🗣️ reported by the assistant' : AUTH_LABEL[t.authStatus];
  const head = `${mark} *${safe(nameOf(t.toolkitId))}* · ${state}${needs} · confidence ${percent(t.confidence)} · ${precedent}`;
  const lines = [`_${safe(t.rationale)}_`];
  if (verified) lines.push(`${inspectionLabel(verified)}: ${READINESS_LABEL[verified.status]} · ${safe(verified.summary)}`);
  if (latest && latest !== verified) lines.push(`Reported by the assistant, not inspected: ${READINESS_LABEL[latest.status]} · ${safe(latest.summary)}`);
  return fitLines(lines, LIMITS.text, { head }).text;
}

function inspectionLabel(entry: CoverageEntry): string {
  if (entry.acceptedBy) return `Reported by the assistant, accepted by ${who(entry.acceptedBy)}`;
  return entry.recordedBy === 'person' ? 'Reported by a person' : 'Inspection';
}

function toolkitOption(t: MissionToolkit): Option {
  return {
    text: plain(nameOf(t.toolkitId), LIMITS.optionText),
    description: plain(AUTH_LABEL[t.authStatus].replace(/^\S+ /, ''), LIMITS.optionDescription),
    value: truncate(t.toolkitId, LIMITS.optionValue),
  };
}
