// Text people wrote in Slack, as Slack sends it (mrkdwn with `<…>` markup and `&amp;` `&lt;`
// `&gt;` escapes), turned into the plain words a mission intent holds. The builders escape
// intents again when they show them, so markup left in would read as literal `<@U…>`.
import { MAX_INTENT_LENGTH } from '../domain/missionInputs.js';
import { truncate } from './blockKitLimits.js';

/** `<@U1>` → `@U1`, `<@U1|ana>` → `@ana`, `<#C1|ops>` → `#ops`, `<!here>` → `@here`, `<https://x|docs>` → `docs (https://x)`, then unescaped. */
export function plainTextFromSlack(text: string): string {
  return text
    .replace(/<([^<>]*)>/g, (_, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!subteam^')) return label ?? `@${target.slice('!subteam^'.length)}`;
      if (target.startsWith('!date^')) return label ?? '';
      if (target.startsWith('!')) return `@${target.slice(1)}`;
      return label && label !== target ? `${label} (${target})` : target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The message text with `<@botUserId>` removed wherever it is (an app_mention's text starts with it). */
export function withoutMention(text: string, botUserId: string): string {
  return text
    .replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The intent of a mission started from a message: its text and where it came from. A message
 * longer than an intent may be (Slack allows 40,000 characters) is cut; the link keeps the rest.
 */
export function intentFromMessage(messageText: string, source: string): string {
  const suffix = `\n\nFrom ${source}`;
  return `${truncate(plainTextFromSlack(messageText).trim(), MAX_INTENT_LENGTH - suffix.length)}${suffix}`;
}
