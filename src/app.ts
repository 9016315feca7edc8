// Composition root: wires storage, connectors and the domain service for one process.
import type { Logger } from 'pino';
import { approvalPolicyFrom, type Config } from './config.js';
import { createConnectors, type Connectors } from './connectors/connectors.js';
import { CredentialVault } from './connectors/credentials/credentialVault.js';
import { rollbackWithConnectors } from './connectors/rollback.js';
import { TrackerSync } from './connectors/trackerSync.js';
import { PrismaCredentialStore } from './storage/prismaCredentialStore.js';
import { deterministicBriefDrafter } from './domain/deterministicBriefDrafter.js';
import { SYSTEM_ACTOR } from './domain/actors.js';
import { MissionService } from './domain/missionService.js';
import { randomIds, systemClock } from './domain/runtime.js';
import { openDatabase, type Database } from './storage/database.js';
import { redactDatabaseUrl } from './storage/databaseUrl.js';
import { FeedWorker, type FeedConsumer } from './feedWorker.js';
import { onExternalCall } from './externalCalls.js';
import { Metrics } from './metrics.js';
import { createSlackFrontDoor, slackSettingsFrom, type SlackFrontDoor } from './slack/slackApp.js';
import { PrismaSlackMessageStore } from './storage/prismaSlackMessageStore.js';
import { costOf, DEFAULT_MODEL_PRICES, modelSettingsFrom } from './connectors/models/modelConfig.js';
import { modelBriefDrafter, modelPlanner } from './connectors/models/modelDrafting.js';
import { createModelRunner } from './connectors/models/modelRunner.js';

export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  missions: MissionService;
  /** GitHub and Linear: inspectors, trackers, the pull request reader and undo steps (empty without credentials). */
  connectors: Connectors;
  /** Delivers recorded changes to Slack and trackers; front doors and connectors add their consumers. */
  feedConsumers: FeedConsumer[];
  feedWorker: FeedWorker;
  /** Prometheus registry served at GET /metrics. */
  metrics: Metrics;
  /** The Bolt app and the `slack` feed consumer; null when the Slack variables are not set. */
  slack: SlackFrontDoor | null;
  /** The long-running server's background work: the feed worker and the approval expiry sweep. */
  startBackgroundWork(): void;
  close(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const db = await openDatabase(config.DATABASE_URL);
  logger.info(
    { database: redactDatabaseUrl(db.target.url), provider: db.target.provider, migrationsApplied: db.migration.applied },
    db.migration.applied.length > 0 ? `database migrated (${db.migration.applied.join(', ')})` : 'database up to date',
  );
  // Credentials come from the validated config (the environment by default), so whoever builds the config decides them.
  const credentialEnv = { GITHUB_TOKEN: config.GITHUB_TOKEN, LINEAR_API_KEY: config.LINEAR_API_KEY, SLACK_BOT_TOKEN: config.SLACK_BOT_TOKEN, SLACK_APP_TOKEN: config.SLACK_APP_TOKEN, SLACK_SIGNING_SECRET: config.SLACK_SIGNING_SECRET };
  const connectors = await createConnectors(config, new CredentialVault(new PrismaCredentialStore(db.prisma), config.ENCRYPTION_KEY, credentialEnv), credentialEnv, logger);
  // MODEL_PROVIDER=none (the default): the built-in drafter and planner, nothing leaves the machine.
  const modelSettings = modelSettingsFrom(config);
  const modelRunner = modelSettings ? createModelRunner(modelSettings) : null;
  if (modelSettings) {
    logger.info(
      { provider: modelSettings.provider, baseURL: modelSettings.baseURL ?? 'https://api.anthropic.com/v1', models: modelSettings.models },
      'model drafting and planning on: intents and briefs are sent to the provider; the built-in drafter and planner stand in when it fails',
    );
  }
  const prices = { ...DEFAULT_MODEL_PRICES, ...config.MODEL_PRICES };
  const missions = new MissionService({
    repository: db.missions,
    clock: systemClock,
    ids: randomIds,
    drafter: modelRunner ? modelBriefDrafter(modelRunner) : deterministicBriefDrafter,
    ...(modelRunner ? { planner: modelPlanner(modelRunner) } : {}),
    missionBudgetUsd: config.MISSION_BUDGET_USD ?? null,
    priceOf: (model, inputTokens, outputTokens) => costOf(prices, model, inputTokens, outputTokens),
    authChecker: connectors.authChecker,
    inspectors: connectors.inspectors,
    approvalPolicy: approvalPolicyFrom(config),
  });
  if (config.SLACK_APPROVERS.length === 0) logger.warn('no approvers configured: set SLACK_APPROVERS so plays that need approval can be approved');
  const feedConsumers: FeedConsumer[] = [new TrackerSync({ service: missions, trackers: connectors.trackers, linkedIssues: connectors.linear ?? undefined, logger })];
  const feedWorker = new FeedWorker({
    feed: db.feed,
    clock: systemClock,
    logger,
    consumers: feedConsumers,
    // A parked delivery is on the mission's record (connector_call_failed) and in /metrics; trackers mark their own toolkit.
    onDead: async (consumer, missionId, error) => {
      if (consumer === 'slack') await missions.recordConnectorFailure({ missionId, toolkitId: 'slack', operation: 'deliver thread messages', error: `parked after repeated failures: ${error}` }, SYSTEM_ACTOR);
    },
  });
  const metrics = new Metrics({ service: missions, countMissionsByState: () => db.missions.countByState(), feed: db.feed, clock: systemClock });
  const stopCountingCalls = onExternalCall((service, outcome, seconds) => metrics.recordExternalCall(service, outcome, seconds));
  const slackSettings = slackSettingsFrom(config);
  const slack = slackSettings
    ? createSlackFrontDoor({
        settings: slackSettings,
        service: missions,
        store: new PrismaSlackMessageStore(db.prisma),
        clock: systemClock,
        logger,
        // A person's Rollback click runs the undo steps connectors know (e.g. close the PR) before recording the rollback.
        rollback: (input, actor) => rollbackWithConnectors(missions, connectors.rollbackSteps, input, actor),
      })
    : null;
  if (slack) feedConsumers.push(slack.projector);
  // A change saved here is delivered at once; changes from other instances wait for the next poll.
  missions.subscribe(() => feedWorker.wake());
  let sweep: NodeJS.Timeout | null = null;
  return {
    config,
    logger,
    db,
    missions,
    connectors,
    feedConsumers,
    feedWorker,
    metrics,
    slack,
    startBackgroundWork: () => {
      feedWorker.start();
      // Open approval requests past their expiry return their missions to play selection.
      sweep ??= setInterval(() => {
        missions.expireOverdueApprovals().then(
          (expired) => expired > 0 && logger.info({ expired }, 'approval requests expired'),
          (error: unknown) => logger.error({ err: error }, 'approval expiry sweep failed'),
        );
      }, 60_000);
      sweep.unref();
    },
    close: async () => {
      if (sweep) clearInterval(sweep);
      stopCountingCalls();
      await feedWorker.stop();
      await slack?.stop();
      await db.close();
    },
  };
}
