// A review_required validator alert, posted as its own thread reply with Resolve and Block.
// Once a person decides, the reply says who and when, and the buttons go away.
import type { KnownBlock } from '@slack/types';
import type { Mission } from '../domain/mission.js';
import { ACTION_IDS } from './actionIds.js';
import type { SlackMessage } from './blockKitLimits.js';
import { actions, button, context, section } from './blocks.js';
import { fallbackText, safe, slackDate, who } from './format.js';

const SEVERITY_MARK = { low: '🟢', medium: '🟡', high: '🟠', critical: '🔴' } as const;

export function alertMessage(mission: Mission, alertId: string): SlackMessage {
  const alert = mission.execution?.alerts.find((a) => a.id === alertId);
  if (!alert)
    return {
      text: fallbackText(`Alert ${alertId} is not on mission ${mission.id}.`),
      blocks: [section(`Alert \`${alertId}\` is not on mission \`${mission.id}\`.`)],
    };
  const phase = mission.execution!.phases.find((p) => p.phaseId === alert.phaseId);
  const where = phase ? `phase ${phase.index + 1} “${safe(phase.name)}”` : `phase \`${alert.phaseId}\``;
  const kind = alert.type === 'review_required' ? '⚠️ *Review required*' : '🔧 *Auto-fix applied*';
  const blocks: KnownBlock[] = [
    section(`${kind} · ${SEVERITY_MARK[alert.severity]} ${alert.severity} · ${where}\n${safe(alert.description)}`),
    context([`\`${mission.id}\` · raised by ${who(alert.raisedBy)} ${slackDate(alert.raisedAt)}`]),
  ];
  const value = { missionId: mission.id, alertId: alert.id };
  const afterCompletion = (mission.state === 'reflecting' || mission.state === 'done') && mission.execution?.completedAt;
  if (alert.type === 'review_required' && alert.status === 'open' && afterCompletion) {
    // Raised by the release (a failed deployment) after the work completed: no phase to block; undo is the way back.
    const undoOpen = mission.state === 'reflecting' && mission.execution!.undo.status === 'available';
    blocks.push(
      context([
        `Raised after the mission completed. *Acknowledge* records what a person decided (redeploy, fix forward)${undoOpen ? '; *Rollback* runs the undo plan while production is watched' : ''}.`,
      ]),
      actions(`alert_${alert.id}`, [
        button({ text: 'Acknowledge', actionId: ACTION_IDS.alertResolve, value: { ...value, outcome: 'accepted' }, style: 'primary' }),
        ...(undoOpen ? [button({ text: 'Rollback', actionId: ACTION_IDS.rollback, value: { missionId: mission.id }, style: 'danger' })] : []),
      ]),
    );
  } else if (alert.type === 'review_required' && alert.status === 'open' && mission.state === 'executing') {
    blocks.push(
      context(['The phase cannot complete until a person resolves this. *Resolve* accepts it and lets the phase go on; *Block* stops the phase.']),
      actions(`alert_${alert.id}`, [
        button({ text: 'Resolve', actionId: ACTION_IDS.alertResolve, value: { ...value, outcome: 'accepted' }, style: 'primary' }),
        button({ text: 'Block', actionId: ACTION_IDS.alertBlock, value: { ...value, outcome: 'blocked' }, style: 'danger' }),
      ]),
    );
  } else if (alert.resolution) {
    const verb = alert.resolution.outcome === 'accepted' ? '✔️ Resolved' : '⛔ Blocked';
    blocks.push(section(`${verb} by ${who(alert.resolution.by)} ${slackDate(alert.resolution.at)}: ${safe(alert.resolution.note)}`));
  } else if (alert.status === 'open') {
    blocks.push(context([`Left open: the mission is ${mission.state.replace('_', ' ')}.`]));
  }
  const state = alert.status !== 'open' ? alert.status : mission.state === 'executing' || afterCompletion ? 'needs review' : 'left open';
  return { text: fallbackText(`Validator alert (${alert.severity}, ${state}) on ${mission.id}: ${alert.description}`), blocks };
}
