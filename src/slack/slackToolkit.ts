// The Slack toolkit's own connector: the bot token answering `auth.test` is what makes the
// Slack toolkit ready (its auth status and its read-only inspection), so a working bot never
// shows "auth unknown".
import type { WebClient } from '@slack/web-api';
import type { AuthProbe } from '../connectors/apiAuthChecker.js';
import type { ToolkitInspectionResult, ToolkitInspector } from '../domain/toolkitInspection.js';

/** Slack errors that mean the token itself is refused, as opposed to Slack not answering. */
const REFUSED_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope']);

interface AuthTestAnswer {
  team?: string;
  user?: string;
  team_id?: string;
  user_id?: string;
}

function slackErrorCode(error: unknown): string | null {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : null;
}

async function authTest(client: WebClient): Promise<ToolkitInspectionResult> {
  try {
    const answer = (await client.auth.test()) as AuthTestAnswer;
    return {
      status: 'ready',
      summary: `The bot token answers auth.test: @${answer.user ?? 'bot'} in ${answer.team ?? 'the workspace'}; the mission thread, approvals and alerts are posted there.`,
      metrics: { team: answer.team ?? '', bot_user: answer.user ?? '' },
    };
  } catch (error) {
    const code = slackErrorCode(error);
    if (code && REFUSED_TOKEN.has(code))
      return { status: 'needs_auth', summary: `Slack refused the bot token (${code}): install the app again and set SLACK_BOT_TOKEN.`, metrics: {} };
    return {
      status: 'degraded',
      summary: `Slack did not answer auth.test (${code ?? (error instanceof Error ? error.message : String(error))}).`,
      metrics: {},
    };
  }
}

export function slackAuthProbe(client: WebClient): AuthProbe {
  return async () => {
    const result = await authTest(client);
    return { status: result.status === 'ready' ? 'ready' : result.status === 'needs_auth' ? 'needs_auth' : 'degraded', scopes: null, detail: result.summary };
  };
}

export function slackToolkitInspector(client: WebClient): ToolkitInspector {
  return { toolkitId: 'slack', inspect: () => authTest(client) };
}
