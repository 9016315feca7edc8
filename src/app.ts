// Composition root: wires storage, connectors and the domain service for one process.
import type { Logger } from 'pino';
import { approvalPolicySeedFrom, type Config } from './config.js';
import { createConnectors, type Connectors } from './connectors/connectors.js';
import { CredentialVault, DEFAULT_WORKSPACE } from './connectors/credentials/credentialVault.js';
import { rollbackWithConnectors } from './connectors/rollback.js';
import { TRACKERS_CONSUMER, TrackerSync } from './connectors/trackerSync.js';
import { EXECUTOR_CONSUMER, ExecutorDispatchConsumer, recordParkedDispatch } from './connectors/executorDispatch.js';
import { PrismaCredentialStore } from './storage/prismaCredentialStore.js';
import { deterministicBriefDrafter } from './domain/deterministicBriefDrafter.js';
import { SYSTEM_ACTOR } from './domain/actors.js';
import { MissionService } from './domain/missionService.js';
import { VerificationService } from './domain/verificationService.js';
import { GITHUB_CONNECTOR } from './connectors/github/pullRequestEvidence.js';
import { randomIds, systemClock } from './domain/runtime.js';
import { openDatabase, type Database } from './storage/database.js';
import { PostgresMissionChanges } from './storage/postgresMissionChanges.js';
import { redactDatabaseUrl } from './storage/databaseUrl.js';
import { databaseSettingsFrom } from './storage/databaseSettings.js';
import { FeedWorker, type FeedConsumer } from './feedWorker.js';
import { onExternalCall } from './externalCalls.js';
import { Metrics } from './metrics.js';
import { createSlackFrontDoor, slackSettingsFrom, type SlackFrontDoor } from './slack/slackApp.js';
import { PrismaSlackRequestReceipts } from './storage/prismaSlackRequestReceipts.js';
import { PrismaSlackMessageStore } from './storage/prismaSlackMessageStore.js';
import type { SlackPresence } from './mcp/slackPresence.js';
import { approversOfRequest } from './slack/approverDirectory.js';
import { SlackPresenceReader } from './slack/slackPresence.js';
import { createSlackWebClient, INTERACTIVE_RETRY } from './slack/slackWebApi.js';
import { PrismaApprovalPolicyStore, storedApprovalPolicySource } from './storage/prismaApprovalPolicyStore.js';
import { SlackUserGroupDirectory } from './slack/slackUserGroups.js';
import { noApproversNamed } from './domain/approvalPolicy.js';
import { RISK_LEVELS } from './domain/plays.js';
import { slackAuthProbe, slackToolkitInspector } from './slack/slackToolkit.js';
import { costOf, DEFAULT_MODEL_PRICES, modelSettingsFrom } from './connectors/models/modelConfig.js';
import { modelBriefDrafter, modelPlanner } from './connectors/models/modelDrafting.js';
import { githubWebhookHandler } from './connectors/github/webhookHandler.js';
import { GitHubEventService } from './domain/githubEventService.js';
import { PrismaGitHubDeliveries } from './storage/prismaGitHubDeliveries.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createModelRunner } from './connectors/models/modelRunner.js';

/** How soon a worker looks at a change another instance announced (that instance's own worker goes first). */
const ELSEWHERE_WAKE_MS = 250;

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
  /** Where missions and approval requests are in Slack, for the MCP tools; null without Slack. */
  slackPresence: SlackPresence | null;
  /** GitHub events and release monitoring (pull requests, checks, reviews, deployments). */
  githubEvents: GitHubEventService;
  /** POST /github/webhooks; null without GITHUB_WEBHOOK_SECRET (then pull requests are read when linked). */
  githubWebhooks: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null;
  /** PostgreSQL: the LISTEN connection that hears other instances' saves (its status is in /healthz); null on SQLite. */
  changes: PostgresMissionChanges | null;
  /** The long-running server's background work: the feed worker and the approval expiry sweep. */
  startBackgroundWork(): void;
  close(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const db = await openDatabase(config.DATABASE_URL, { settings: databaseSettingsFrom(config), onWaiting: (message) => logger.warn(message) });
  logger.info(
    { database: redactDatabaseUrl(db.target.url), provider: db.target.provider, migrationsApplied: db.migration.applied },
    db.migration.applied.length > 0 ? `database migrated (${db.migration.applied.join(', ')})` : 'database up to date',
  );
  // Credentials come from the validated config (the environment by default), so whoever builds the config decides them.
  const credentialEnv = {
    GITHUB_TOKEN: config.GITHUB_TOKEN,
    LINEAR_API_KEY: config.LINEAR_API_KEY,
    SLACK_BOT_TOKEN: config.SLACK_BOT_TOKEN,
    SLACK_APP_TOKEN: config.SLACK_APP_TOKEN,
    SLACK_SIGNING_SECRET: config.SLACK_SIGNING_SECRET,
  };
  const slackSettings = slackSettingsFrom(config);
  // The Slack toolkit is ready when the bot token answers auth.test (quick: it runs inside people's commands).
  const slackToolkitClient = slackSettings
    ? createSlackWebClient(slackSettings.botToken, { slackApiUrl: slackSettings.apiUrl, logger, retryConfig: { retries: 0 }, timeoutMs: 4_000 })
    : null;
  const connectors = await createConnectors(
    config,
    new CredentialVault(new PrismaCredentialStore(db.prisma), config.ENCRYPTION_KEY, credentialEnv, config.ENCRYPTION_KEY_PREVIOUS),
    credentialEnv,
    logger,
    slackToolkitClient ? { probes: { slack: slackAuthProbe(slackToolkitClient) }, inspectors: [slackToolkitInspector(slackToolkitClient)] } : {},
  );
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
  // Several instances share one PostgreSQL: each hears the others' saves (wakes its feed worker, tells MCP
  // subscribers and wait_for_approval). SQLite serves one process, whose own saves notify it directly.
  const changes = db.target.provider === 'postgresql' ? changeListener(db.target, config, logger) : null;
  await changes?.start();
  const missions = new MissionService({
    repository: db.missions,
    clock: systemClock,
    ids: randomIds,
    drafter: modelRunner ? modelBriefDrafter(modelRunner) : deterministicBriefDrafter,
    ...(modelRunner ? { planner: modelPlanner(modelRunner) } : {}),
    missionBudgetUsd: config.MISSION_BUDGET_USD ?? null,
    priceOf: (model, inputTokens, outputTokens) => costOf(prices, model, inputTokens, outputTokens),
    changes,
    checkpoints: db.chainCheckpoints,
    authChecker: connectors.authChecker,
    inspectors: connectors.inspectors,
    // One policy per workspace, in the database: every process on it (HTTP, stdio) applies the same one.
    approvalPolicies: storedApprovalPolicySource(new PrismaApprovalPolicyStore(db.prisma), DEFAULT_WORKSPACE, approvalPolicySeedFrom(config), systemClock),
    // User-group approvers need the bot token (usergroups:read), not the rest of the Slack app.
    ...(config.SLACK_BOT_TOKEN
      ? {
          userGroups: new SlackUserGroupDirectory(
            createSlackWebClient(config.SLACK_BOT_TOKEN, { slackApiUrl: config.SLACK_API_URL, logger, retryConfig: INTERACTIVE_RETRY }),
          ),
        }
      : {}),
  });
  // Completion first checks the approved play's artifacts and key links against the pull request's code (GitHub).
  const verification = new VerificationService(missions, connectors.code, GITHUB_CONNECTOR);
  missions.setBeforeCompletion((missionId) => verification.beforeCompletion(missionId));
  const policy = await missions.currentApprovalPolicy();
  const unnamed = RISK_LEVELS.filter((risk) => policy.byRisk[risk].required > 0 && noApproversNamed(policy.byRisk[risk]));
  if (unnamed.length > 0) {
    logger.warn(
      { risks: unnamed },
      `no approvers for ${unnamed.join(', ')} risk: requests wait until someone is named (\`mission-control approvers add --risk ${unnamed[0]} U…\`, or SLACK_APPROVERS before the first start)`,
    );
  }
  const feedConsumers: FeedConsumer[] = [
    new TrackerSync({ service: missions, trackers: connectors.trackers, linkedIssues: connectors.linear ?? undefined, logger }),
    // Approved missions go to the CI executor once (GITHUB_EXECUTOR_WORKFLOW); without one it only moves its cursor.
    new ExecutorDispatchConsumer({ service: missions, dispatcher: connectors.executor, logger }),
  ];
  const feedWorker = new FeedWorker({
    feed: db.feed,
    clock: systemClock,
    logger,
    consumers: feedConsumers,
    // Trackers and the executor: a burst after a delivery is one more delivery, whichever instance runs it. Slack is
    // paced by its own per-message edit interval (also in the database), and request_approval waits for its DMs.
    coalesceMs: { [TRACKERS_CONSUMER]: config.FEED_COALESCE_MS, [EXECUTOR_CONSUMER]: config.FEED_COALESCE_MS },
    // A parked delivery is on the mission's record (connector_call_failed) and in /metrics; trackers mark their own toolkit.
    onDead: async (consumer, missionId, error) => {
      if (consumer === EXECUTOR_CONSUMER) await recordParkedDispatch(missions, missionId, error);
      if (consumer === 'slack')
        await missions.recordConnectorFailure(
          { missionId, toolkitId: 'slack', operation: 'deliver thread messages', error: `parked after repeated failures: ${error}` },
          SYSTEM_ACTOR,
        );
    },
  });
  const metrics = new Metrics({
    service: missions,
    countMissionsByState: () => db.missions.countByState(),
    feed: db.feed,
    clock: systemClock,
    databaseTimeoutMs: config.HEALTH_TIMEOUT_MS,
  });
  const stopCountingCalls = onExternalCall((service, outcome, seconds) => metrics.recordExternalCall(service, outcome, seconds));
  const slackStore = new PrismaSlackMessageStore(db);
  // Missions started over MCP without a channel live in SLACK_DEFAULT_CHANNEL or a DM with their requester; approvers are DMed each request.
  const slackProjection = { home: { defaultChannel: config.SLACK_DEFAULT_CHANNEL ?? null }, approverDirectory: approversOfRequest };
  const slack = slackSettings
    ? createSlackFrontDoor({
        settings: slackSettings,
        service: missions,
        store: slackStore,
        // Edits that only move progress along wait SLACK_PROGRESS_EDIT_MS; what a person must see goes out within a second.
        projection: { ...slackProjection, progressEditIntervalMs: config.SLACK_PROGRESS_EDIT_MS },
        clock: systemClock,
        logger,
        // A person's Rollback click runs the undo steps connectors know (e.g. close the PR) before recording the rollback.
        rollback: (input, actor) => rollbackWithConnectors(missions, connectors.rollbackSteps, input, actor),
        // A replayed Slack request is refused by every instance, not only the one that saw it first. Several
        // instances means PostgreSQL; on SQLite (one instance) this process's memory suffices and keeps the
        // single writer free for the missions being started (an insert per request slowed acks under bursts).
        ...(db.target.provider === 'postgresql' ? { requestReceipts: new PrismaSlackRequestReceipts(db.prisma) } : {}),
        // Parked threads resume when their cause may be fixed (the bot joined the channel, /mission status).
        redeliver: async (filter) => {
          const revived = await db.feed.revive('slack', filter);
          if (revived > 0) feedWorker.wake();
          return revived;
        },
      })
    : null;
  if (slack) feedConsumers.push(slack.projector);
  if (!slack && config.SLACK_DEFAULT_CHANNEL) logger.warn('SLACK_DEFAULT_CHANNEL is set but Slack is off; it takes effect once the Slack variables are set');
  // request_approval waits a moment for this process's feed worker to deliver; a process without one (stdio) answers at once.
  let delivering = false;
  const slackPresence = slackSettings
    ? new SlackPresenceReader({
        store: slackStore,
        client: createSlackWebClient(slackSettings.botToken, { slackApiUrl: slackSettings.apiUrl, logger, retryConfig: { retries: 0 }, timeoutMs: 3_000 }),
        ...slackProjection,
        deliveryWaitMs: () => (delivering ? 3_000 : 0),
        logger,
      })
    : null;
  // A change saved here is delivered at once by this worker, which holds the mission in memory; one another
  // instance announced (PostgreSQL) shortly after, so the saver's worker claims it first and the instances
  // do not race for every delivery; the poll is the fallback.
  missions.subscribe(() => feedWorker.wake());
  missions.onChangedElsewhere(() => feedWorker.wakeWithin(ELSEWHERE_WAKE_MS));
  let sweep: NodeJS.Timeout | null = null;
  let sweeping: Promise<unknown> | null = null;
  const githubEvents = new GitHubEventService(missions, config.RELEASE_MONITORING_MINUTES);
  const githubWebhooks = config.GITHUB_WEBHOOK_SECRET
    ? githubWebhookHandler({ secret: config.GITHUB_WEBHOOK_SECRET, events: githubEvents, deliveries: new PrismaGitHubDeliveries(db.prisma), logger })
    : null;
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
    slackPresence,
    githubEvents,
    githubWebhooks,
    changes,
    startBackgroundWork: () => {
      feedWorker.start();
      delivering = true;
      db.deliverSavesHere(feedWorker.owner);
      // Open approval requests past their expiry return their missions to play selection.
      sweep ??= setInterval(() => {
        if (sweeping) return;
        sweeping = Promise.all([
          missions.expireOverdueApprovals().then(
            (expired) => expired > 0 && logger.info({ expired }, 'approval requests expired'),
            (error: unknown) => logger.error({ err: error }, 'approval expiry sweep failed'),
          ),
          // Production watched long enough: monitoring_report, and the undo plan closes.
          githubEvents.closeDueMonitoringWindows(GITHUB_CONNECTOR, systemClock.now()).then(
            (closed) => closed > 0 && logger.info({ closed }, 'release monitoring windows closed'),
            (error: unknown) => logger.error({ err: error }, 'release monitoring sweep failed'),
          ),
        ]).finally(() => {
          sweeping = null;
        });
      }, 60_000);
      sweep.unref();
    },
    close: async () => {
      if (sweep) clearInterval(sweep);
      // A sweep under way finishes before the database closes (it logged errors from a closed pool).
      await sweeping;
      stopCountingCalls();
      db.deliverSavesHere(null);
      await feedWorker.stop();
      await slack?.stop();
      await changes?.close();
      await db.close();
    },
  };
}

/** The LISTEN connection, logging when it drops and when it listens again. */
function changeListener(target: Extract<Database['target'], { provider: 'postgresql' }>, config: Config, logger: Logger): PostgresMissionChanges {
  return new PostgresMissionChanges({
    connectionString: target.connectionString,
    schema: target.schema,
    settings: databaseSettingsFrom(config),
    onStatus: (status, { retryInMs }) => {
      if (status.state === 'reconnecting') {
        logger.warn(
          { error: status.lastError, retryInMs, drops: status.drops },
          "change notifications: the LISTEN connection is down; reconnecting (other instances' changes are seen by polling meanwhile)",
        );
      } else if (status.state === 'listening') {
        if (status.drops > 0) logger.info({ drops: status.drops }, 'change notifications: listening again');
        else logger.debug("change notifications: listening for other instances' saves");
      }
    },
  });
}
