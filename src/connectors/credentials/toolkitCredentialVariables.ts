// Which environment variables hold each toolkit's credentials. Deployment detail, so it lives
// outside the domain: the auth checker reads them, Slack names them to the person who must set them.

/** Per toolkit id; shown to people, never their values. */
export const TOOLKIT_CREDENTIAL_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  github: ['GITHUB_TOKEN'],
  linear: ['LINEAR_API_KEY'],
  slack: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'],
};
