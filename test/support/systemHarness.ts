// System tests: real `mission-control start` processes (spawned from the built bin), MCP clients
// over Streamable HTTP, Slack requests signed as Slack signs them, and a direct read-only view of
// the shared database to check what was recorded. Every process and schema a test opens is
// registered for cleanup, so a failing test still kills its processes and drops its schema.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { Mission } from '../../src/domain/mission.js';
import { MissionService } from '../../src/domain/missionService.js';
import { randomIds, systemClock } from '../../src/domain/runtime.js';
import type { PlayDraft } from '../../src/domain/plays.js';
import { contentHash, surfacesOf } from '../../src/slack/slackProjector.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { freshDatabaseUrl, type Provider } from './databases.js';
import type { FakeSlack } from './fakeSlack.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'mission-control.js');
export const SIGNING_SECRET = 'system-signing-secret-0123456789abcdef';
export const MCP_SECRET = 'system-mcp-secret-0123456789abcdef';
export const REQUESTER = 'U0JORDAN';

/** Cleanups run in reverse order by `runCleanups` (call it from afterEach/afterAll). */
const cleanups: Array<() => Promise<void> | void> = [];
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}
export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually<T>(check: () => T | Promise<T>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline || error instanceof PermanentCheckFailure) throw error;
      await sleep(intervalMs);
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh database for spawned instances (a PostgreSQL schema under TEST_DATABASE_URL, or a SQLite file), removed at cleanup. */
export function freshInstanceDatabaseUrl(provider: Provider = 'postgresql'): string {
  const { url, cleanup } = freshDatabaseUrl(provider);
  onCleanup(cleanup);
  return url;
}

/** The environment of a spawned instance: the machine's credentials removed, ours added. */
export function instanceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^(SLACK_|GITHUB_|LINEAR_|DATABASE_URL|PORT|HOST|MCP_|APPROVAL|ENCRYPTION_KEY|LOG_LEVEL)/.test(key)) delete env[key];
  return { ...env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...extra };
}

export interface Instance {
  name: string;
  port: number;
  baseUrl: string;
  child: ChildProcess;
  /** stdout and stderr as received (pino JSON lines and anything else). */
  output(): string;
  alive(): boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `mission-control start` on `port` and waits until /healthz answers. */
export async function startInstance(name: string, env: Record<string, string>, port?: number): Promise<Instance> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env: instanceEnv({ ...env, PORT: String(chosen) }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const instance: Instance = {
    name,
    port: chosen,
    baseUrl: `http://127.0.0.1:${chosen}`,
    child,
    output: () => out,
    alive: () => running,
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (!running) return;
      child.kill(signal);
      await exited;
    },
  };
  onCleanup(() => instance.kill('SIGKILL'));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) throw new Error(`${name} exited before serving:\n${out}`);
    try {
      const res = await fetch(`${instance.baseUrl}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer /healthz within 60 s:\n${out}`);
    await sleep(100);
  }
  return instance;
}

/** pino lines at error level or above, and anything mentioning a deadlock. */
export function troubleIn(output: string): { errors: string[]; deadlocks: string[] } {
  const lines = output.split('\n').filter(Boolean);
  const errors = lines.filter((l) => {
    try {
      return (JSON.parse(l) as { level?: number }).level! >= 50;
    } catch {
      return /error/i.test(l);
    }
  });
  return { errors, deadlocks: lines.filter((l) => /deadlock/i.test(l)) };
}

// ---- MCP over Streamable HTTP -------------------------------------------------------------

export class McpPeer {
  private client: Client | null = null;
  constructor(
    readonly instance: Instance,
    private readonly token = MCP_SECRET,
  ) {}

  async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ name: `system-${this.instance.name}`, version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${this.instance.baseUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${this.token}` } },
    });
    await client.connect(transport);
    this.client = client;
    onCleanup(() => client.close().catch(() => undefined));
    return client;
  }

  /** Forgets the session (the instance died or restarted): the next call initializes again. */
  reset(): void {
    const old = this.client;
    this.client = null;
    void old?.close().catch(() => undefined);
  }

  async call(name: string, args: Record<string, unknown>, timeoutMs = 60_000): Promise<CallToolResult> {
    const client = await this.connect();
    return (await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs })) as CallToolResult;
  }

  /** A call that must succeed; returns its structured content. */
  async ok<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> {
    const result = await this.call(name, args);
    if (result.isError) throw new ToolRefused(name, textOf(result));
    return result.structuredContent as T;
  }
}

export class ToolRefused extends Error {
  constructor(
    readonly tool: string,
    readonly text: string,
  ) {
    super(`${tool} was refused: ${text}`);
  }
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

// ---- Slack requests -------------------------------------------------------------------------

export interface SlackAnswer {
  status: number;
  text: string;
}

export async function signedSlackPost(
  instance: Instance,
  body: string,
  contentType: string,
  opts: { secret?: string; timestamp?: number; signature?: string | null } = {},
): Promise<SlackAnswer> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature =
    opts.signature === undefined
      ? `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET)
          .update(`v0:${timestamp}:${body}`)
          .digest('hex')}`
      : opts.signature;
  const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp) };
  if (signature !== null) headers['x-slack-signature'] = signature;
  const res = await fetch(`${instance.baseUrl}/slack/events`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

// ---- The shared database, read by the test ---------------------------------------------------

export interface Ledger {
  db: Database;
  service: MissionService;
  mission(id: string): Promise<Mission>;
  eventCount(): Promise<number>;
  missionCount(): Promise<number>;
  close(): Promise<void>;
}

/** Opens the instances' database from the test process (after an instance has migrated it). */
export async function openLedger(url: string): Promise<Ledger> {
  const db = await openDatabase(url, { migrate: false });
  const service = new MissionService({ repository: db.missions, clock: systemClock, ids: randomIds, drafter: deterministicBriefDrafter });
  const ledger: Ledger = {
    db,
    service,
    mission: (id) => service.getMission({ missionId: id }),
    eventCount: () => db.prisma.missionEvent.count(),
    missionCount: () => db.prisma.mission.count(),
    close: () => db.close(),
  };
  onCleanup(() => db.close().catch(() => undefined));
  return ledger;
}

// ---- Missions for bursts ----------------------------------------------------------------------

export function burstPlay(phases: number, stepsPerPhase: number): PlayDraft {
  return {
    title: 'Speed up the report refresh path',
    rationale: 'Small, reversible steps behind a feature flag, each with its own test.',
    confidence: 0.8,
    phases: Array.from({ length: phases }, (_, p) => ({
      id: `phase_${p + 1}`,
      name: `Phase ${p + 1}`,
      steps: Array.from({ length: stepsPerPhase }, (_, s) => ({ id: `p${p + 1}_step_${s + 1}`, title: `Step ${s + 1} of phase ${p + 1}` })),
    })),
    undoPlan: { summary: 'Turn the flag off and revert the branch.', steps: ['Disable the feature flag', 'Revert the pull request'] },
    safeguardsEnforced: ['All tests must pass before merge'],
    risk: { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong' },
    estimatedDurationMinutes: 30,
    codeChangePreview: null,
    mustHaves: { truths: [], artifacts: [], keyLinks: [] },
  };
}

/**
 * Drives a mission from intent to execution (approvals required: 0), alternating between
 * peers so both instances write it. Returns the mission id and the approved play id.
 */
export async function driveToExecution(
  peers: readonly McpPeer[],
  intent: string,
  channelId: string,
  play: PlayDraft,
  offset: number,
  ledger: Pick<Ledger, 'service'>,
): Promise<{ missionId: string; playId: string }> {
  const peer = (i: number) => peers[(offset + i) % peers.length]!;
  const started = await peer(0).ok<{ mission: { id: string } }>('start_mission', { intent, channelId });
  const missionId = started.mission.id;
  await peer(1).ok('update_brief', { missionId, lock: true });
  await peer(2).ok('select_toolkits', {
    missionId,
    toolkits: [{ toolkitId: 'github' }],
    coverage: [{ toolkitId: 'github', status: 'ready', summary: 'Repository inspected read-only' }],
  });
  // No connector inspects GitHub here: the requester accepts the assistant's report (Slack's "Accept reported coverage").
  await ledger.service.acceptReportedCoverage({ missionId }, { kind: 'slack_user', id: REQUESTER });
  await peer(2).ok('select_toolkits', { missionId });
  const proposed = await peer(3).ok<{ proposed: string[] }>('propose_plays', { missionId, plays: [play] });
  const playId = proposed.proposed[0]!;
  const approved = await peer(4).ok<{ status: string }>('request_approval', { missionId, playId });
  if (approved.status !== 'approved') throw new Error(`expected an automatic approval, got ${JSON.stringify(approved)}`);
  return { missionId, playId };
}

// ---- Slack delivery, as the fake saw it ---------------------------------------------------

/**
 * Checks that the fake Slack shows each mission exactly as its final state renders: one post
 * per surface (no orphan or duplicate posts anywhere), brief in the channel and the rest in its
 * thread, and every message's current content equal to the rendering of the final mission.
 * Throws with a description of the first difference (use inside `eventually`).
 */
export async function checkSlackShowsFinalState(ledger: Ledger, fake: FakeSlack, missionIds: readonly string[]): Promise<{ posts: number; updates: number }> {
  const pending = await ledger.db.feed.stats('slack', new Date());
  if (pending.pending !== 0 || pending.dead !== 0) throw new Error(`slack feed not drained: ${JSON.stringify(pending)}`);
  // Approval requests sent to approvers directly (dm:approval:...) are checked by their own tests, not as thread surfaces.
  const rows = (await ledger.db.prisma.slackMessage.findMany()).filter((r) => !r.surface.startsWith('dm:'));
  // Direct messages to a person (refusals answered privately, approval requests to approvers) are not thread surfaces.
  const posts = fake.callsTo('chat.postMessage').filter((p) => !isDirectMessage(p.args) && !String(p.args.channel).startsWith('D'));
  const postedTs = posts.map((p) => p.response?.ts).filter((ts): ts is string => typeof ts === 'string');
  const recordedTs = new Set(rows.map((r) => r.ts));
  const orphans = postedTs.filter((ts) => !recordedTs.has(ts));
  if (orphans.length > 0) {
    const detail = orphans.map((ts) => {
      const m = fake.messages.get(ts)!;
      return `${ts} in ${m.channel}${m.threadTs ? ` thread ${m.threadTs}` : ''}: ${m.text.slice(0, 80)}`;
    });
    throw new DuplicatePostError(`${orphans.length} message(s) posted but not recorded (duplicates or orphans):\n${detail.join('\n')}`);
  }
  if (postedTs.length !== rows.length) throw new Error(`${postedTs.length} posts for ${rows.length} recorded surfaces`);
  for (const missionId of missionIds) {
    const mission = await ledger.mission(missionId);
    const mine = rows.filter((r) => r.missionId === missionId);
    const surfaces = surfacesOf(mission, new Set(mine.map((r) => r.surface)));
    const keys = surfaces.map((s) => s.key).sort();
    const have = mine.map((r) => r.surface).sort();
    if (JSON.stringify(keys) !== JSON.stringify(have)) throw new Error(`${missionId}: surfaces ${JSON.stringify(have)}, expected ${JSON.stringify(keys)}`);
    const brief = mine.find((r) => r.surface === 'brief')!;
    // A mission started without a channel lives where its brief was posted (SLACK_DEFAULT_CHANNEL or a DM).
    const home = mission.channelId ?? brief.channel;
    for (const surface of surfaces) {
      const row = mine.find((r) => r.surface === surface.key)!;
      const shown = fake.messages.get(row.ts);
      if (!shown) throw new Error(`${missionId} ${surface.key}: ts ${row.ts} is not in Slack`);
      if (shown.channel !== home) throw new Error(`${missionId} ${surface.key}: posted in ${shown.channel}, its home is ${home}`);
      if (surface.key === 'brief' ? shown.threadTs !== null : shown.threadTs !== brief.ts)
        throw new Error(`${missionId} ${surface.key}: thread ${shown.threadTs}, brief ${brief.ts}`);
      const rendered = surface.render();
      if (contentHash({ text: shown.text, blocks: shown.blocks as never }) !== contentHash(JSON.parse(JSON.stringify(rendered)) as never)) {
        throw new Error(`${missionId} ${surface.key}: Slack shows "${shown.text.slice(0, 120)}", the final state renders "${rendered.text.slice(0, 120)}"`);
      }
    }
  }
  return { posts: posts.length, updates: fake.callsTo('chat.update').length };
}

/** A failed check that waiting cannot fix: `eventually` gives up at once. */
export class PermanentCheckFailure extends Error {}
/** Once the feed is drained nothing will record these posts any more. */
/** chat.postMessage to a user id: a DM to that person, not a mission's thread. */
export function isDirectMessage(args: Record<string, unknown>): boolean {
  return typeof args.channel === 'string' && /^[UW]/.test(args.channel) && args.thread_ts === undefined;
}

export class DuplicatePostError extends PermanentCheckFailure {}
