// The message shortcut "Start a mission from this message": the message's text and its link
// become the intent, and the mission lives in that channel, under a brief card of its own (as
// `/mission <intent>` there would). The shortcut payload carries a response_url, so refusals
// and "invite the bot" reach only the person who used it.
import type { App, MessageShortcut } from '@slack/bolt';
import { intentFromMessage } from './incomingText.js';
import { startMissionFromSlack } from './commandHandlers.js';
import { notice, refusalMessage, slackActor, tellUser, type ReplyTarget, type SlackHandlerDeps } from './interactionReplies.js';

/** The callback id slack/manifest.yml declares for the shortcut. */
export const START_MISSION_SHORTCUT = 'start_mission_from_message';

export function registerShortcutHandlers(app: App, deps: SlackHandlerDeps): void {
  const { logger } = deps;
  app.shortcut<MessageShortcut>({ callback_id: START_MISSION_SHORTCUT, type: 'message_action' }, async ({ shortcut, ack, respond, client }) => {
    await ack();
    const target: ReplyTarget = { client, userId: shortcut.user.id, respond, hasResponseUrl: Boolean(shortcut.response_url), channelId: shortcut.channel.id };
    const text = (shortcut.message.text ?? '').trim();
    if (!text) {
      await tellUser(
        target,
        notice('⚠️ That message has no text to start a mission from. Use `/mission <intent>` and describe what the mission should achieve.'),
        logger,
      );
      return;
    }
    // The link lets everyone on the mission find the conversation it came from; without it
    // (Slack refused: a channel the bot cannot see) the channel and timestamp still point there.
    const permalink = await client.chat
      .getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts })
      .then((r) => r.permalink ?? null)
      .catch((error: unknown) => {
        logger.info({ err: error, channel: shortcut.channel.id }, 'no permalink for the shortcut’s message');
        return null;
      });
    const source = permalink ?? `the message ${shortcut.message.ts} in channel ${shortcut.channel.id}`;
    try {
      await startMissionFromSlack(
        deps,
        { intent: intentFromMessage(text, source), channelId: shortcut.channel.id },
        slackActor(shortcut.user.id, shortcut.user.name ?? shortcut.user.username),
        target,
      );
    } catch (error) {
      await tellUser(target, refusalMessage(error, logger), logger);
    }
  });
}
