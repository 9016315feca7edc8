// User-group approvers: the members of a Slack user group, read with usergroups.users.list
// (scope usergroups:read) when someone who is not named in person tries to decide.
import type { WebClient } from '@slack/web-api';
import { UserGroupLookupError, type UserGroupDirectory } from '../domain/approvalPolicy.js';
import { callSlack, SlackDeliveryError } from './slackWebApi.js';

/** What to do about Slack's answer, for the person refused and the admin they ask. */
const HINTS: Record<string, string> = {
  no_such_subteam: 'Slack has no such user group (check the id with `mission-control approvers list`)',
  missing_scope: 'the Slack app lacks the usergroups:read scope (add it, see slack/manifest.yml, and reinstall the app)',
  invalid_auth: 'the Slack bot token is not valid',
  token_revoked: 'the Slack bot token was revoked',
};

export class SlackUserGroupDirectory implements UserGroupDirectory {
  constructor(private readonly client: WebClient) {}

  async members(groupId: string): Promise<string[]> {
    try {
      const answer = await callSlack(`usergroups.users.list ${groupId}`, () => this.client.usergroups.users.list({ usergroup: groupId }));
      return answer.users ?? [];
    } catch (error) {
      if (error instanceof SlackDeliveryError && error.slackError) {
        throw new UserGroupLookupError(groupId, `${error.slackError}: ${HINTS[error.slackError] ?? 'Slack refused the lookup'}`);
      }
      throw new UserGroupLookupError(groupId, error instanceof Error ? error.message : String(error));
    }
  }
}
