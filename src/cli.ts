// `mission-control <command>`: the process entry points.
import { readFileSync } from 'node:fs';
import { createApp } from './app.js';
import { APPROVERS_USAGE, runApproversCommand } from './approverCommands.js';
import { loadConfig, slackSetupHint } from './config.js';
import { FEED_USAGE, runFeedCommand } from './feedCommands.js';
import { createHttpServer, listen } from './httpServer.js';
import { createLogger } from './logger.js';
import { CREDENTIAL_USAGE, runCredentialCommand } from './connectors/credentials/credentialCommands.js';
import { SLACK_EVENTS_PATH } from './slack/slackApp.js';
import { McpTokenAuthenticator } from './mcp/mcpTokens.js';
import { runStdioServer } from './mcp/stdio.js';
import { allowedHostsFor, createMcpHttpEndpoint, MCP_PATH } from './mcp/streamableHttp.js';
import { runTokenCommand, TOKEN_USAGE, UsageError } from './mcp/tokenCommands.js';
import { ensureSqliteFolder, parseDatabaseUrl, redactDatabaseUrl } from './storage/databaseUrl.js';
import { migrate } from './storage/migrations.js';
import { databaseSettingsFrom } from './storage/databaseSettings.js';
import { withTimeout } from './timeouts.js';

const USAGE = `Usage: mission-control <command>

Commands:
  start [--read-only]   migrate the database, then serve HTTP (health, Slack, and MCP at /mcp)
  mcp [--read-only]     serve MCP on stdin/stdout for a local assistant (logs go to stderr)
  token create --name NAME [--on-behalf-of SLACK_USER_ID] | token list | token revoke --name NAME
                        manage MCP bearer tokens (the secret is printed once, stored hashed)
  credential set --toolkit github|linear [--token TOKEN] | credential list | credential remove --toolkit ... | credential rotate
                        store a workspace's GitHub or Linear token, encrypted with ENCRYPTION_KEY
  feed retry [--mission ID]
                        re-drive deliveries parked as dead (Slack threads, tracker issues), all or one mission's
  approvers list | approvers add --risk RISK [--required N] [ID ...] | approvers remove --risk RISK ID ...
                        who may approve at each risk (Slack user ids U…, user group ids S…) and how many must
  migrate               apply database migrations and exit
  help                  show this message
  --version             print the version

Environment: DATABASE_URL (default file:./data/mission-control.db), HOST (127.0.0.1), PORT (3000), LOG_LEVEL (info),
SLACK_APPROVERS and APPROVALS_REQUIRED (seed the approval policy until one is stored),
MCP_TOKENS (development tokens, name:secret[:onBehalfOf],...), MCP_READ_ONLY, MCP_ALLOWED_HOSTS, MCP_ACTOR_NAME and MCP_ON_BEHALF_OF (stdio),
DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, DATABASE_START_TIMEOUT_MS, HEALTH_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS (see README, Operations).`;

/** `--read-only` on the command line, or MCP_READ_ONLY=true. */
function readOnlyFrom(args: readonly string[], envReadOnly: boolean): boolean {
  const unknown = args.filter((a) => a !== '--read-only');
  if (unknown.length > 0) throw new UsageError(`Unknown argument "${unknown[0]}".`);
  return envReadOnly || args.includes('--read-only');
}

async function start(args: readonly string[]): Promise<void> {
  const config = loadConfig();
  const readOnly = readOnlyFrom(args, config.MCP_READ_ONLY);
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, logger);
  const mcp = createMcpHttpEndpoint({
    service: app.missions,
    logger,
    authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
    readOnly,
    limits: { maxEvidenceBytes: config.MCP_MAX_EVIDENCE_BYTES },
    allowedHosts: allowedHostsFor(config.HOST, config.MCP_ALLOWED_HOSTS),
    pullRequests: app.connectors.pullRequests,
    slackPresence: app.slackPresence,
    stateless: config.MCP_HTTP_STATELESS,
  });
  const server = createHttpServer(app, { ...mcp.routes, ...app.slack?.routes });
  const address = await listen(server, config.HOST, config.PORT);
  logger.info({ host: address.host, port: address.port }, `Mission Control listening on http://${address.host}:${address.port}`);
  logger.info(
    { path: MCP_PATH, readOnly, stateless: config.MCP_HTTP_STATELESS },
    `MCP (Streamable HTTP) at http://${address.host}:${address.port}${MCP_PATH}; create a token with \`mission-control token create --name NAME\``,
  );
  const hint = slackSetupHint(config);
  if (hint) logger.warn(hint);
  if (app.slack) {
    await app.slack.start();
    logger.info(
      { mode: app.slack.mode },
      app.slack.mode === 'socket'
        ? 'Slack app connected over Socket Mode'
        : `Slack app at http://${address.host}:${address.port}${SLACK_EVENTS_PATH} (Request URL for commands, interactivity and events)`,
    );
  }
  app.startBackgroundWork();

  // SIGTERM/SIGINT: say not ready, refuse new work, let running requests and deliveries finish
  // (up to SHUTDOWN_TIMEOUT_MS), then close everything and exit 0.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal (Ctrl-C twice) does not wait for the drain.
      logger.warn({ signal }, 'second signal: exiting without waiting');
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    const deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS;
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down: draining in-flight requests and deliveries');
    server.startDraining();
    const drained = await server.waitForInFlight(config.SHUTDOWN_TIMEOUT_MS);
    if (!drained) logger.warn('requests still running at the shutdown deadline; closing them');
    const left = () => Math.max(0, deadline - Date.now());
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await withTimeout(
      mcp.close().then(() => app.close()),
      Math.max(left(), 1000),
      'deliveries still running at the shutdown deadline',
    ).catch((error: unknown) => logger.warn({ err: error }, 'shutdown did not finish cleanly; leased deliveries are retried after their lease'));
    server.closeAllConnections();
    await withTimeout(closed, 1000, 'server close').catch(() => undefined);
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** The version in package.json, one folder above src/ and dist/ alike. */
function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return version;
}

async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const target = parseDatabaseUrl(config.DATABASE_URL);
  ensureSqliteFolder(target);
  const report = await migrate(target, databaseSettingsFrom(config));
  const where = redactDatabaseUrl(target.url);
  process.stdout.write(
    report.applied.length > 0
      ? `Applied ${report.applied.length} migration(s) to ${where}: ${report.applied.join(', ')}\n`
      : `Database ${where} is up to date (${report.alreadyApplied} migration(s) applied earlier).\n`,
  );
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(args);
      case 'mcp': {
        const config = loadConfig();
        return await runStdioServer(config, { readOnly: readOnlyFrom(args, config.MCP_READ_ONLY) });
      }
      case 'token':
        return await runTokenCommand(args, loadConfig(), process.stdout);
      case 'credential':
        return await runCredentialCommand(args, loadConfig(), process.stdout);
      case 'feed':
        return await runFeedCommand(args, loadConfig(), process.stdout);
      case 'approvers':
        return await runApproversCommand(args, loadConfig(), process.stdout);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const usage = { token: TOKEN_USAGE, credential: CREDENTIAL_USAGE, feed: FEED_USAGE, approvers: APPROVERS_USAGE }[command as string] ?? USAGE;
    process.stderr.write(`${error.message}\n\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  switch (command) {
    case 'migrate':
      return migrateCommand();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`${packageVersion()}\n`);
      return;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`mission-control: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
