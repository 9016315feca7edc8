// The App Home tab: published when a person opens it, and again after they decide an
// approval from it.
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { MissionService } from '../domain/missionService.js';
import { appHome } from './appHome.js';
import type { SlackMessage } from './blockKitLimits.js';
import type { SlackHandlerDeps } from './interactionReplies.js';

export function registerAppHomeHandler(app: App, deps: SlackHandlerDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishAppHome(client, deps.service, event.user, deps.logger);
  });
}

/**
 * Publishes the viewer's App Home. `notice` (a refusal of a click made there) is shown at its
 * top: the Home is where the person is looking, and its clicks have no response_url or channel.
 */
export async function publishAppHome(client: WebClient, service: MissionService, userId: string, logger: Logger, notice?: SlackMessage): Promise<void> {
  try {
    // Two reads whatever the number of missions: the viewer's latest, and every approval they may decide.
    const overview = await service.overviewOf(userId);
    await client.views.publish({
      user_id: userId,
      view: appHome({ userId, myMissions: overview.missions, awaitingMyApproval: overview.awaitingApproval, ...(notice ? { notice: notice.blocks } : {}) }),
    });
  } catch (error) {
    logger.warn({ err: error, userId }, 'could not publish the App Home');
  }
}
