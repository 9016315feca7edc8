// The release (seed stage 5) as its own thread reply, edited live as GitHub reports deployment
// statuses: the preview with its URL, canary steps, production, and the monitoring window with
// the Rollback button that keeps undo available through the production deploy.
import type { KnownBlock } from '@slack/types';
import type { Mission } from '../domain/mission.js';
import { promotedPercent, type DeploymentRecord, type DeploymentState } from '../domain/releaseRules.js';
import { ACTION_IDS } from './actionIds.js';
import type { SlackMessage } from './blockKitLimits.js';
import { actions, button, context, section } from './blocks.js';
import { fallbackText, link, safe, slackDate } from './format.js';

const STATE_MARK: Record<DeploymentState, string> = {
  pending: '⏳',
  queued: '⏳',
  in_progress: '🔄',
  success: '✅',
  failure: '❌',
  error: '❌',
  inactive: '⚪',
};

const STATE_WORDS: Record<DeploymentState, string> = {
  pending: 'pending',
  queued: 'queued',
  in_progress: 'deploying',
  success: 'live',
  failure: 'failed',
  error: 'failed',
  inactive: 'replaced',
};

function deploymentLine(d: DeploymentRecord): string {
  const what = d.kind === 'canary' ? `Canary ${d.canaryPercent ?? '?'}%` : d.kind === 'preview' ? 'Preview' : 'Production';
  const where = d.url ? link(d.url, safe(d.url.replace(/^https?:\/\//, ''))) : `\`${safe(d.environment)}\``;
  return `${STATE_MARK[d.state]} *${what}* · ${where} · ${STATE_WORDS[d.state]} ${slackDate(d.updatedAt)} · \`${d.sha.slice(0, 7)}\``;
}

export function releaseMessage(mission: Mission): SlackMessage {
  const release = mission.execution?.release;
  if (!release) return { text: fallbackText(`No deployments yet on ${mission.id}.`), blocks: [section(`No deployments yet on \`${mission.id}\`.`)] };
  const promoted = promotedPercent(release);
  const canarySteps = release.deployments.filter((d) => d.kind === 'canary' && d.state === 'success').map((d) => `${d.canaryPercent}%`);
  const production = release.deployments.some((d) => d.kind === 'production' && d.state === 'success');
  const head = `🚀 *Release*${canarySteps.length > 0 ? ` · canary ${[...canarySteps, ...(production ? ['100%'] : [])].join(' → ')}` : ''}`;
  const blocks: KnownBlock[] = [section(`${head}\n${release.deployments.map(deploymentLine).join('\n')}`)];
  const monitoring = release.monitoring;
  if (monitoring && monitoring.closedAt === null) {
    blocks.push(
      section(
        `👀 *Watching ${safe(monitoring.environment)}* until ${slackDate(monitoring.endsAt)}. Undo stays available through the production deploy until then.`,
      ),
    );
    if (mission.state === 'reflecting' && mission.execution!.undo.status === 'available') {
      blocks.push(
        actions(`release_undo_${mission.id}`, [
          button({ text: 'Rollback', actionId: ACTION_IDS.rollback, value: { missionId: mission.id, playId: mission.execution!.playId }, style: 'danger' }),
        ]),
      );
    }
  } else if (monitoring) {
    const outcome = monitoring.outcome === 'rolled_back' ? '↩️ rolled back' : '✔️ healthy';
    blocks.push(section(`Monitoring of ${safe(monitoring.environment)} ended ${slackDate(monitoring.closedAt!)}: ${outcome}.`));
  }
  blocks.push(context([`\`${mission.id}\` · deployments reported by GitHub`]));
  const failed = release.deployments.filter((d) => d.state === 'failure' || d.state === 'error');
  const summary = monitoring
    ? monitoring.closedAt
      ? `monitoring ended (${monitoring.outcome})`
      : 'production live, monitoring'
    : failed.length > 0
      ? `deployment to ${failed.at(-1)!.environment} failed`
      : promoted !== null
        ? `canary at ${promoted}%`
        : 'in progress';
  return { text: fallbackText(`Release of ${mission.id}: ${summary}.`), blocks };
}
