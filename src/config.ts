// Process configuration from the environment, validated once at start.
import { z } from 'zod';
import {
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_EXPIRY_MINUTES,
  MAX_EXPIRY_MINUTES,
  DEFAULT_REQUIRED_APPROVALS,
  uniformPolicy,
  type ApprovalPolicy,
} from './domain/approvalPolicy.js';
import { MAX_EVIDENCE_BYTES } from './domain/missionInputs.js';
import type { RiskLevel } from './domain/plays.js';
import { DEFAULT_DATABASE_URL } from './storage/databaseUrl.js';
import { OPERATIONS_ENV } from './storage/databaseSettings.js';
import { parseEncryptionKey, parsePreviousKeys } from './connectors/credentials/secretBox.js';
import { MODEL_ENV, modelConfigProblem } from './connectors/models/modelConfig.js';

function isEncryptionKey(value: string): boolean {
  try {
    parseEncryptionKey(value);
    return true;
  } catch {
    return false;
  }
}

function arePreviousKeys(value: string): boolean {
  try {
    parsePreviousKeys(value);
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  DATABASE_URL: z.string().trim().min(1).default(DEFAULT_DATABASE_URL),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SLACK_BOT_TOKEN: z.string().trim().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().trim().min(1).optional(),
  SLACK_APP_TOKEN: z.string().trim().min(1).optional(),
  /** Web API base; tests and the demo point it at a local fake. */
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: 'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/' })
    .default('https://slack.com/api/'),
  GITHUB_TOKEN: z.string().trim().min(1).optional(),
  LINEAR_API_KEY: z.string().trim().min(1).optional(),
  /** GitHub REST base: GitHub Enterprise (`https://github.example.com/api/v3`) or a test server. */
  GITHUB_API_URL: z
    .url({ protocol: /^https?$/, error: 'GITHUB_API_URL must be an http(s) URL such as https://api.github.com' })
    .default('https://api.github.com'),
  /** Verifies GitHub webhook deliveries (POST /github/webhooks, X-Hub-Signature-256); unset: webhooks off, pull requests are read on link_pull_request. */
  GITHUB_WEBHOOK_SECRET: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().min(16, 'GITHUB_WEBHOOK_SECRET must be at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  ),
  /** How long production is watched after it deploys, in minutes; the undo plan stays available meanwhile. */
  RELEASE_MONITORING_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  /** The repository missions inspect and file GitHub follow-ups in, unless the brief names another. */
  GITHUB_REPOSITORY: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'GITHUB_REPOSITORY must be owner/name, e.g. jordan-nakamura/legaltech-mvp')
    .optional(),
  /** The workflow that runs approved missions in CI (GitHub Actions workflow_dispatch), e.g. mission.yml; unset: no CI executor. */
  GITHUB_EXECUTOR_WORKFLOW: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    z
      .string()
      .regex(
        /^([A-Za-z0-9._-]+\.ya?ml|\d+)$/,
        'GITHUB_EXECUTOR_WORKFLOW must be a workflow file name such as mission.yml (in .github/workflows) or a workflow id',
      )
      .optional(),
  ),
  /** The branch or tag the executor workflow runs on; unset: the repository's default branch. */
  GITHUB_EXECUTOR_REF: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().min(1).max(250).optional()),
  /** This server's MCP endpoint as reachable from CI (e.g. https://mission-control.example.com/mcp); passed to the executor as mcp_url. */
  MCP_PUBLIC_URL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.url({ protocol: /^https?$/, error: 'MCP_PUBLIC_URL must be an http(s) URL such as https://mission-control.example.com/mcp' }).optional(),
  ),
  LINEAR_API_URL: z
    .url({ protocol: /^https?$/, error: 'LINEAR_API_URL must be an http(s) URL such as https://api.linear.app/graphql' })
    .default('https://api.linear.app/graphql'),
  /** The Linear team follow-ups are filed in (its key, e.g. ENG); optional when the workspace has one team. */
  LINEAR_TEAM_KEY: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,7}$/, 'LINEAR_TEAM_KEY must be a team key such as ENG')
    .optional(),
  /** Encrypts stored connector tokens: 32 random bytes as hex or base64. */
  ENCRYPTION_KEY: z
    .string()
    .trim()
    .refine((v) => isEncryptionKey(v), 'ENCRYPTION_KEY must be 32 random bytes written as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)')
    .optional(),
  /** Older ENCRYPTION_KEYs (commas between them) that still open what they sealed while a rotation runs; see README "Rotate ENCRYPTION_KEY". */
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .trim()
    .refine(
      (v) => arePreviousKeys(v),
      'ENCRYPTION_KEY_PREVIOUS must be one or more former ENCRYPTION_KEYs separated by commas, each 32 random bytes as 64 hex characters or base64',
    )
    .optional(),
  /** The channel (id) where missions started over MCP without a channel are posted; unset: a DM to the person the token acts for. */
  SLACK_DEFAULT_CHANNEL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    z
      .string()
      .regex(
        /^[CG][A-Z0-9]{2,}$/,
        'SLACK_DEFAULT_CHANNEL must be a channel id such as C012ABCDEF, not a #name (in Slack: channel details, bottom of the About tab)',
      )
      .optional(),
  ),
  /**
   * Least time between two edits of one Slack message when the edit only moves progress along
   * (steps, test runs, counts); changes a person must see at once still go out within a second.
   */
  SLACK_PROGRESS_EDIT_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  /** Slack user ids who may approve plays at every risk, comma-separated: only seeds the stored policy (`mission-control approvers`). */
  SLACK_APPROVERS: z
    .string()
    .default('')
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'each approver must be a Slack user id such as U012ABCDEF'))),
  /** Approvals each risk level needs, e.g. "low:1,medium:1,high:1,critical:2": only seeds the stored policy. */
  APPROVALS_REQUIRED: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const counts: Partial<Record<RiskLevel, number>> = {};
      for (const part of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = /^(low|medium|high|critical)\s*[:=]\s*(\d)$/.exec(part);
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not risk:count (risk low, medium, high or critical; count 0-9)` });
          return z.NEVER;
        }
        counts[match[1] as RiskLevel] = Number(match[2]);
      }
      return { ...DEFAULT_REQUIRED_APPROVALS, ...counts };
    }),
  APPROVAL_EXPIRY_MINUTES: z.coerce.number().int().min(1).max(MAX_EXPIRY_MINUTES).default(DEFAULT_EXPIRY_MINUTES),
  /** Development MCP tokens, `name:secret[:onBehalfOf],...` (real ones: `mission-control token create`). */
  MCP_TOKENS: z.string().default(''),
  /** Serve only the read-only MCP tools (also the `--read-only` flag). */
  MCP_READ_ONLY: z
    .enum(['true', 'false', '1', '0', ''], { error: 'MCP_READ_ONLY must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Serve /mcp without sessions, so any instance behind a load balancer can answer any request (no resource subscriptions then). */
  MCP_HTTP_STATELESS: z
    .enum(['true', 'false', '1', '0', ''], { error: 'MCP_HTTP_STATELESS must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Extra Host header names accepted on /mcp besides localhost, 127.0.0.1 and [::1] (DNS rebinding protection). */
  MCP_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((h) => h.toLowerCase()),
    ),
  /** Largest evidence content an assistant may attach, in bytes. */
  MCP_MAX_EVIDENCE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_EVIDENCE_BYTES, `MCP_MAX_EVIDENCE_BYTES may be at most ${MAX_EVIDENCE_BYTES}`)
    .default(MAX_EVIDENCE_BYTES),
  /** The actor of `mission-control mcp` (stdio): a token-like name, and the Slack user it works for. */
  MCP_ACTOR_NAME: z.string().trim().min(1).max(100).default('local-stdio'),
  MCP_ON_BEHALF_OF: z
    .string()
    .trim()
    .regex(/^[UW][A-Z0-9]{2,}$/, 'MCP_ON_BEHALF_OF must be a Slack user id such as U012ABCDEF')
    .optional(),
  /**
   * After a mission's change is delivered to trackers or the executor, later changes wait this
   * long and go out together; held on the feed cursor, so the same with any number of instances.
   */
  FEED_COALESCE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Database timeouts, health check and shutdown bounds (src/storage/databaseSettings.ts). */
  ...OPERATIONS_ENV,
  /** Model-backed drafting and planning, prices and the default mission budget (src/connectors/models/modelConfig.ts). */
  ...MODEL_ENV,
});

export type Config = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  if (parsed.data.GITHUB_EXECUTOR_WORKFLOW && !parsed.data.MCP_PUBLIC_URL) {
    throw new Error(
      "Invalid environment: MCP_PUBLIC_URL: set it to this server's MCP URL as reachable from CI (e.g. https://mission-control.example.com/mcp); GITHUB_EXECUTOR_WORKFLOW dispatches runs that connect to it",
    );
  }
  const modelProblem = modelConfigProblem(parsed.data);
  if (modelProblem) throw new Error(`Invalid environment: ${modelProblem}`);
  return parsed.data;
}

/** One line saying what is missing for Slack, or null when Slack is configured. */
export function slackSetupHint(config: Config): string | null {
  if (config.SLACK_BOT_TOKEN && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN)) return null;
  return 'Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) to enable the Slack app.';
}

/**
 * The policy the environment describes (the same approvers at every risk). It is stored as the
 * workspace's policy only when none is stored yet; after that `mission-control approvers` changes it.
 */
export function approvalPolicySeedFrom(config: Config): ApprovalPolicy {
  return uniformPolicy({
    approvers: config.SLACK_APPROVERS,
    requiredApprovals: config.APPROVALS_REQUIRED,
    requesterExcludedAt: DEFAULT_APPROVAL_POLICY.requesterExcludedAt,
    expiresAfterMinutes: config.APPROVAL_EXPIRY_MINUTES,
  });
}
