// pino JSON logs. Anything that could hold a credential is redacted by path.
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'GITHUB_TOKEN',
  'GITHUB_WEBHOOK_SECRET',
  '*.GITHUB_WEBHOOK_SECRET',
  'LINEAR_API_KEY',
  'ENCRYPTION_KEY',
  'ENCRYPTION_KEY_PREVIOUS',
  'MCP_TOKENS',
  '*.MCP_TOKENS',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.SLACK_APP_TOKEN',
  '*.GITHUB_TOKEN',
  '*.LINEAR_API_KEY',
  '*.ENCRYPTION_KEY',
  '*.ENCRYPTION_KEY_PREVIOUS',
  // Connector clients and their errors: Octokit and the Linear SDK keep request options and headers.
  'accessToken',
  '*.accessToken',
  'ciphertext',
  '*.ciphertext',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.request.headers.authorization',
  'err.request.headers.authorization',
  '*.options.headers.Authorization',
  'client.options.headers.Authorization',
  '*.client.options.headers.Authorization',
];

export function createLogger(level: string, destination: pino.DestinationStream | number = 1): Logger {
  return pino(
    { level, base: { service: 'mission-control' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination,
  );
}
