// `mission-control <command>`: the process entry points.
import { createApp } from './app.js';
import { loadConfig, slackSetupHint } from './config.js';
import { createHttpServer, listen } from './httpServer.js';
import { createLogger } from './logger.js';
import { ensureSqliteFolder, parseDatabaseUrl, redactDatabaseUrl } from './storage/databaseUrl.js';
import { migrate } from './storage/migrations.js';

const USAGE = `Usage: mission-control <command>

Commands:
  start      migrate the database, then serve HTTP (health, Slack and MCP as configured)
  migrate    apply database migrations and exit
  help       show this message

Environment: DATABASE_URL (default file:./data/mission-control.db), HOST (127.0.0.1), PORT (3000), LOG_LEVEL (info).`;

async function start(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, logger);
  const server = createHttpServer(app);
  const address = await listen(server, config.HOST, config.PORT);
  logger.info({ host: address.host, port: address.port }, `Mission Control listening on http://${address.host}:${address.port}`);
  const hint = slackSetupHint(config);
  if (hint) logger.warn(hint);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void app.close().finally(() => {
        logger.flush();
        process.exit(0);
      });
    });
    server.closeAllConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const target = parseDatabaseUrl(config.DATABASE_URL);
  ensureSqliteFolder(target);
  const report = await migrate(target);
  const where = redactDatabaseUrl(target.url);
  process.stdout.write(
    report.applied.length > 0
      ? `Applied ${report.applied.length} migration(s) to ${where}: ${report.applied.join(', ')}\n`
      : `Database ${where} is up to date (${report.alreadyApplied} migration(s) applied earlier).\n`,
  );
}

export async function main(argv: string[]): Promise<void> {
  const [command] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'migrate':
      return migrateCommand();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
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
