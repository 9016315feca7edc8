// The servers the benchmarks measure, each a process of its own: `mission-control start` exactly
// as an operator runs it (bin/mission-control.js, configured by environment: migrations, HTTP,
// /mcp, the Slack app when Slack is configured, the delivery worker, /metrics, the approval sweep),
// and the bare baselines (bench/support/bareServer.mjs). CPU time is read from /proc/<pid>/stat, so
// it is the server's own, not the client's. Every process started here is stopped when the
// benchmark exits, however it exits.
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MCP_SECRET = 'bench-secret-0123456789abcdef';
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux the project supports
const running = new Set();
const cleanups = new Set();

function killAll() {
  for (const child of running) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    // Seeded PostgreSQL schemas and copied files go too (at most 10 s).
    const done = Promise.allSettled([...cleanups].map((fn) => fn()));
    void Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]).then(() => process.exit(130));
  });
}

/** Runs `fn` if the benchmark is stopped by a signal; returns a function that unregisters it. */
export function onInterrupt(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** User + system CPU milliseconds the process has used so far (Linux /proc). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory in MiB. */
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Environment without the machine's Slack, GitHub, Linear, model, MCP or database settings. */
function cleanEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^(SLACK_|GITHUB_|LINEAR_|DATABASE_|PORT$|HOST$|MCP_|MODEL_|ANTHROPIC_|OPENAI_|BENCH_)/.test(key)) delete env[key];
  return { ...env, ...extra };
}

async function spawnServer(label, args, env, listening) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-bench-proc-'));
  const logFile = path.join(dir, 'out.log');
  const out = openSync(logFile, 'w');
  // Output goes to a file, not a pipe: reading it would cost the benchmark's own process CPU.
  // BENCH_PROFILE_DIR=<dir>: each server writes a V8 CPU profile there when it exits (NODE_OPTIONS refuses --cpu-prof).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...args], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  closeSync(out);
  running.add(child);
  let exited = null;
  let stopping = false;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
    running.delete(child);
    // A server that dies mid-run says why (its own output), rather than the client's ECONNRESET alone.
    if (!stopping && port !== null)
      process.stderr.write(`${label} exited unexpectedly (${code ?? signal}); its last output:\n${readFileSync(logFile, 'utf8').slice(-3000)}\n`);
  });
  const deadline = Date.now() + Number(process.env.BENCH_START_TIMEOUT_MS ?? 120_000);
  let port = null;
  while (port === null) {
    const text = readFileSync(logFile, 'utf8');
    const match = listening.exec(text);
    if (match) port = Number(match[1]);
    else if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not start (${exited ? `exited ${exited.code ?? exited.signal}` : 'timed out'}); its output:\n${text.slice(-4000)}`);
    } else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    label,
    pid: child.pid,
    port,
    origin: `http://127.0.0.1:${port}`,
    cpuMs: () => cpuMs(child.pid),
    rssMiB: () => rssMiB(child.pid),
    output: () => readFileSync(logFile, 'utf8'),
    /** SIGTERM (the product drains and exits 0), SIGKILL if it has not exited after 15 s. */
    stop: async () => {
      stopping = true;
      if (!exited) {
        const done = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await done;
        clearTimeout(timer);
      }
      // BENCH_KEEP_LOGS=<dir>: keep each server's output there (to read a logged error reference's stack).
      if (process.env.BENCH_KEEP_LOGS) {
        mkdirSync(process.env.BENCH_KEEP_LOGS, { recursive: true });
        copyFileSync(logFile, path.join(process.env.BENCH_KEEP_LOGS, `${label.replace(/[^A-Za-z0-9_-]+/g, '_')}-${child.pid}.log`));
      }
      rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };
}

/**
 * `mission-control start` on `databaseUrl`, listening on a free port. `slack` is a FakeSlack to
 * point the Slack app at (or null: Slack off). Extra env (e.g. MODEL_*) via `env`.
 */
export async function startMissionControl({ label = 'mission-control', databaseUrl, slack = null, env = {} }) {
  const slackEnv = slack
    ? { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, SLACK_DEFAULT_CHANNEL: 'C0BENCH' }
    : {};
  const server = await spawnServer(
    label,
    [path.join(ROOT, 'bin', 'mission-control.js'), 'start'],
    cleanEnv({
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      MCP_TOKENS: `bench:${MCP_SECRET}:U0BENCH`,
      SHUTDOWN_TIMEOUT_MS: '3000',
      ...slackEnv,
      ...env,
    }),
    /listening on http:\/\/[^:"]+:(\d+)/,
  );
  return { ...server, mcpUrl: `${server.origin}/mcp`, slackUrl: `${server.origin}/slack/events`, metricsUrl: `${server.origin}/metrics`, token: MCP_SECRET };
}

/** A bare baseline: 'mcp' (echo tool) or 'bolt' (ack only). */
export async function startBare(kind) {
  const server = await spawnServer(
    `bare ${kind}`,
    [path.join(ROOT, 'bench', 'support', 'bareServer.mjs'), kind],
    cleanEnv({ SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    /listening on http:\/\/[^:"]+:(\d+)/,
  );
  return { ...server, mcpUrl: `${server.origin}/mcp`, slackUrl: `${server.origin}/slack/events`, token: null };
}
