// Composition root: wires storage, connectors and the domain service for one process.
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { environmentAuthChecker } from './connectors/environmentAuthChecker.js';
import { deterministicBriefDrafter } from './domain/deterministicBriefDrafter.js';
import { MissionService } from './domain/missionService.js';
import { randomIds, systemClock } from './domain/runtime.js';
import { openDatabase, type Database } from './storage/database.js';
import { redactDatabaseUrl } from './storage/databaseUrl.js';

export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  missions: MissionService;
  close(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const db = await openDatabase(config.DATABASE_URL);
  logger.info(
    { database: redactDatabaseUrl(db.target.url), provider: db.target.provider, migrationsApplied: db.migration.applied },
    db.migration.applied.length > 0 ? `database migrated (${db.migration.applied.join(', ')})` : 'database up to date',
  );
  const missions = new MissionService({
    repository: db.missions,
    clock: systemClock,
    ids: randomIds,
    drafter: deterministicBriefDrafter,
    authChecker: environmentAuthChecker(process.env),
  });
  return { config, logger, db, missions, close: () => db.close() };
}
