// `@Mission Control <intent>` in a channel starts a mission there, as `/mission <intent>` would;
// `@Mission Control help` (or the mention alone) answers the commands. Replies go only to the
// person who mentioned the bot (ephemeral), since an Events API event has no response_url.
import type { App } from '@slack/bolt';
import type { AppMentionEvent } from '@slack/types';
import { startMissionFromSlack } from './commandHandlers.js';
import { plainTextFromSlack, withoutMention } from './incomingText.js';
import { notice, refusalMessage, slackActor, tellUser, type ReplyTarget, type SlackHandlerDeps } from './interactionReplies.js';
import { parseMissionCommand } from './missionCommandText.js';
import { helpMessage, usageMessage } from './usageMessages.js';

export function registerEventHandlers(app: App, deps: SlackHandlerDeps): void {
  const { logger } = deps;
  app.event('app_mention', async ({ event, body, context, client }) => {
    const mention = event as AppMentionEvent;
    // Other bots (and this one) mentioning us must not start missions, or loop.
    if (mention.bot_id || !mention.user) return;
    const target: ReplyTarget = { client, userId: mention.user, hasResponseUrl: false, channelId: mention.channel };
    const botUserId =
      context.botUserId ??
      (body as { authorizations?: Array<{ user_id?: string }> }).authorizations?.[0]?.user_id ??
      /<@([UW][A-Z0-9]+)/.exec(mention.text)?.[1] ??
      '';
    const text = plainTextFromSlack(withoutMention(mention.text, botUserId));
    const parsed = parseMissionCommand(text);
    try {
      switch (parsed.kind) {
        case 'help':
          return await tellUser(target, helpMessage(), logger);
        case 'usage':
          return await tellUser(target, text === '' ? helpMessage() : usageMessage(parsed.problem), logger);
        case 'start':
          await startMissionFromSlack(deps, { intent: parsed.intent, channelId: mention.channel }, slackActor(mention.user), target);
          return;
        default:
          // list, status and cancel answer through `/mission` (cancel asks for a reason in a modal, which needs a command or a click).
          return await tellUser(
            target,
            notice(
              `Use \`/mission ${parsed.kind}${'missionId' in parsed ? ` ${parsed.missionId}` : ''}\` for that; mention me with what a mission should achieve to start one.`,
            ),
            logger,
          );
      }
    } catch (error) {
      await tellUser(target, refusalMessage(error, logger), logger);
    }
  });
}
