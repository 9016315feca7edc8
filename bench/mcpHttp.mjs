#!/usr/bin/env node
// Benchmark: report_progress over Streamable HTTP on Mission Control's /mcp, against a bare SDK
// server with one echo tool, started in the same run with the same transport set-up (stateful
// session, SSE responses, one Node HTTP server each). The two, and the domain service alone,
// take turns in blocks of calls so machine noise falls on all of them. Prints tool calls per
// second and p50/p99 latency of each, and the ratios. Run with `npm run bench:mcp` (builds first).
//
// Options (env): BENCH_CALLS (sequential calls per server, default 2000), BENCH_CONCURRENCY
// (parallel clients for the throughput run, default 8), BENCH_MISSIONS (missions the reports
// rotate over, so no mission's record grows unrealistically, default 40), DATABASE_URL (a
// postgresql:// URL to measure PostgreSQL; default a fresh SQLite file), BENCH_INSTANCES (default 1;
// 2 runs two Mission Control instances sharing one PostgreSQL schema, with the clients spread
// across both: DATABASE_URL, or the local postgresql://postgres@127.0.0.1:5432/test, gets a fresh
// schema that is dropped afterwards; `npm run bench:mcp:pg2`).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import pino from 'pino';
import { z } from 'zod';
import { createApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { createHttpServer, listen } from '../dist/httpServer.js';
import { McpTokenAuthenticator } from '../dist/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint } from '../dist/mcp/streamableHttp.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MISSIONS = Number(process.env.BENCH_MISSIONS ?? 40);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';
const WARMUP = Math.min(200, Math.ceil(CALLS / 10));
const SECRET = 'bench-secret-0123456789abcdef';
const logger = pino({ level: 'silent' });

const PLAY = {
  title: 'Benchmark play',
  rationale: 'One phase that takes many test runs.',
  confidence: 0.9,
  phases: [{ id: 'bench_phase', name: 'Bench phase', steps: [{ id: 'run_tests', title: 'Run the tests' }] }],
  undoPlan: { summary: 'Nothing to undo', steps: ['Close the PR'] },
  risk: { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong' },
  estimatedDurationMinutes: 10,
};
const ASSISTANT = { kind: 'mcp_token', id: 'bench', onBehalfOf: 'U0BENCH' };

// ---- the bare server: one echo tool, the SDK's own session handling ----------------------

async function startBareServer() {
  const transports = new Map();
  const server = createServer(async (req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    if (sessionId && transports.has(sessionId)) return transports.get(sessionId).handleRequest(req, res);
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!isInitializeRequest(body)) {
      res.writeHead(400).end();
      return;
    }
    const mcp = new McpServer({ name: 'bare', version: '1.0.0' });
    mcp.registerTool('echo', { inputSchema: { text: z.string() }, outputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => transports.set(id, transport) });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/mcp`,
    close: async () => {
      for (const t of transports.values()) await t.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---- Mission Control: the real /mcp endpoint over a real database ------------------------

/** Where the instances keep missions: a fresh SQLite file, or (several instances) a fresh schema in one PostgreSQL database. */
function benchDatabase() {
  let url = process.env.DATABASE_URL;
  if (INSTANCES > 1 && !url?.startsWith('postgresql:')) url = LOCAL_POSTGRES;
  if (url?.startsWith('postgresql:')) {
    if (INSTANCES === 1) return { url, cleanup: async () => undefined };
    const schema = `mc_bench_${randomBytes(6).toString('hex')}`;
    const withSchema = new URL(url);
    withSchema.searchParams.set('schema', schema);
    return {
      url: withSchema.toString(),
      cleanup: async () => {
        const admin = new URL(url);
        admin.searchParams.delete('schema');
        const client = new pg.Client({ connectionString: admin.toString() });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'mc-bench-'));
  return { url: `file:${path.join(dir, 'bench.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function startInstance(url) {
  // No approval needed at low risk, so missions reach execution without a person.
  const config = loadConfig({ DATABASE_URL: url, APPROVALS_REQUIRED: 'low:0', MCP_TOKENS: `bench:${SECRET}:U0BENCH` });
  const app = await createApp(config, logger);
  const endpoint = createMcpHttpEndpoint({
    service: app.missions,
    logger,
    authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
    readOnly: false,
    allowedHosts: allowedHostsFor('127.0.0.1', []),
  });
  const server = createHttpServer(app, endpoint.routes);
  const { port } = await listen(server, '127.0.0.1', 0);
  return {
    app,
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await endpoint.close();
      await app.close();
    },
  };
}

async function startMissionControl() {
  const database = benchDatabase();
  const instances = [];
  // One after another: each runs the migrations (already applied for the second).
  for (let i = 0; i < INSTANCES; i++) instances.push(await startInstance(database.url));
  const app = instances[0].app;
  const missions = [];
  for (let i = 0; i < MISSIONS; i++) {
    const m = await app.missions.startMission({ intent: `Benchmark mission ${i}: keep the login tests green` }, ASSISTANT);
    await app.missions.lockBrief({ missionId: m.id }, ASSISTANT);
    await app.missions.selectToolkits({ missionId: m.id, toolkits: [{ toolkitId: 'github' }] }, ASSISTANT);
    await app.missions.recordCoverage({ missionId: m.id, toolkitId: 'github', status: 'ready', summary: 'bench' }, ASSISTANT);
    await app.missions.confirmToolkits({ missionId: m.id }, ASSISTANT);
    const planned = await app.missions.proposePlays({ missionId: m.id, plays: [PLAY] }, ASSISTANT);
    const play = planned.plays.find((p) => p.title === PLAY.title);
    const approved = await app.missions.requestApproval({ missionId: m.id, playId: play.id }, ASSISTANT);
    if (approved.state !== 'executing') throw new Error(`mission ${m.id} is ${approved.state}, expected executing`);
    await app.missions.reportProgress({ missionId: m.id, kind: 'phase_started', phaseId: 'bench_phase' }, ASSISTANT);
    missions.push(m.id);
  }
  return {
    urls: instances.map((i) => i.url),
    provider: app.db.target.provider,
    missions,
    service: app.missions,
    close: async () => {
      for (const instance of instances) await instance.close();
      await database.cleanup();
    },
  };
}

// ---- measuring ------------------------------------------------------------------------------

/**
 * The SDK client hands one long-lived AbortSignal to every fetch, and undici keeps a listener on
 * it per request until that request is garbage collected: after ~1500 calls every call copies
 * thousands of listeners and prints a MaxListenersExceeded warning, a cost of the measuring
 * client that varies with garbage collection. The benchmark never cancels, so the signal is dropped
 * (for both servers alike).
 */
const withoutSharedSignal = (input, init) => fetch(input, { ...init, signal: undefined });

async function connect(url, token) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: withoutSharedSignal }));
  return client;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const BLOCK = 50;

/**
 * Measures several targets under the same conditions: their calls alternate in blocks of
 * BLOCK (bare, ours, service, bare, ...), so a noisy neighbour on this shared machine slows
 * all of them alike instead of whichever happened to run at that moment. A target is
 * { label, sequential() -> call(i), parallel(count) -> count calls, or null for no parallel run }.
 */
async function measureInterleaved(targets) {
  const callers = await Promise.all(targets.map((t) => t.sequential()));
  for (let i = 0; i < WARMUP; i++) for (const call of callers) await call(i);
  const latencies = targets.map(() => []);
  const spent = targets.map(() => 0);
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (const [k, call] of callers.entries()) {
      const started = performance.now();
      for (let i = done; i < Math.min(CALLS, done + BLOCK); i++) {
        const t = performance.now();
        await call(i);
        latencies[k].push(performance.now() - t);
      }
      spent[k] += performance.now() - started;
    }
  }
  // Throughput: CONCURRENCY sessions calling back to back, again alternating target by target in rounds.
  const parallel = await Promise.all(targets.map((t) => (t.parallel ? t.parallel(CONCURRENCY) : null)));
  const perClientRound = Math.max(1, Math.ceil(BLOCK / CONCURRENCY));
  const rounds = Math.max(1, Math.ceil(CALLS / (perClientRound * CONCURRENCY)));
  const parallelSpent = targets.map(() => 0);
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [k, clients] of parallel.entries()) {
      if (!clients) continue;
      const started = performance.now();
      await Promise.all(clients.map(async (call) => {
        for (let i = 0; i < perClientRound; i++) await call(n++);
      }));
      parallelSpent[k] += performance.now() - started;
    }
  }
  return targets.map((t, k) => {
    const sorted = latencies[k].sort((a, b) => a - b);
    return {
      label: t.label,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      sequentialPerSecond: CALLS / (spent[k] / 1000),
      parallelPerSecond: parallel[k] ? (rounds * perClientRound * CONCURRENCY) / (parallelSpent[k] / 1000) : NaN,
    };
  });
}

/** A target served over MCP: `urls` is one server, or several instances the sessions are spread across. */
function mcpTarget(label, urls, token, makeCall) {
  urls = Array.isArray(urls) ? urls : [urls];
  const clients = [];
  const caller = (client) => async (i) => {
    const result = await client.callTool(makeCall(i));
    if (result.isError) throw new Error(`${label}: ${result.content[0].text}`);
  };
  return {
    label,
    // Sequential call i goes to instance i mod n.
    sequential: async () => {
      const own = await Promise.all(urls.map((url) => connect(url, token)));
      clients.push(...own);
      return (i) => caller(own[i % own.length])(i);
    },
    parallel: async (count) => {
      const own = await Promise.all(Array.from({ length: count }, (_, j) => connect(urls[j % urls.length], token)));
      clients.push(...own);
      return own.map(caller);
    },
    close: () => Promise.all(clients.map((c) => c.close())),
  };
}

const fmt = (n, digits = 2) => (Number.isNaN(n) ? 'n/a' : n.toFixed(digits)).padStart(9);

async function main() {
  const bare = await startBareServer();
  const ours = await startMissionControl();
  try {
    const report = (i) => ({ missionId: ours.missions[i % ours.missions.length], kind: 'test_run', phaseId: 'bench_phase', total: 120, passing: 120, coverage: 0.9, suite: 'vitest' });
    const bareTarget = mcpTarget('bare SDK echo', bare.url, null, (i) => ({ name: 'echo', arguments: { text: `hello ${i}` } }));
    const oursTarget = mcpTarget(INSTANCES > 1 ? `report_progress x${INSTANCES}` : 'report_progress', ours.urls, SECRET, (i) => ({ name: 'report_progress', arguments: report(i) }));
    // The floor: the same report through the service, no MCP, no HTTP.
    const serviceTarget = {
      label: 'service only',
      sequential: async () => async (i) => {
        await ours.service.reportProgress(report(i), ASSISTANT);
      },
      parallel: null,
      close: async () => undefined,
    };
    const [bareResult, oursResult, serviceResult] = await measureInterleaved([bareTarget, oursTarget, serviceTarget]);
    await Promise.all([bareTarget.close(), oursTarget.close()]);
    const db = ours.provider === 'postgresql' ? 'PostgreSQL' : 'SQLite';
    const where = INSTANCES > 1 ? `${INSTANCES} instances sharing one ${db} schema, clients spread across them` : db;
    console.log(`MCP over Streamable HTTP: ${CALLS} sequential calls each (after ${WARMUP} warm-up), then ${CONCURRENCY} parallel sessions, the servers alternating in blocks of ${BLOCK}; report_progress on ${where}, ${MISSIONS} missions`);
    console.log(`${'server'.padEnd(18)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'seq/s'.padStart(9)}${'par/s'.padStart(9)}`);
    for (const r of [bareResult, oursResult, serviceResult]) console.log(`${r.label.padEnd(18)}${fmt(r.p50)}${fmt(r.p99)}${fmt(r.sequentialPerSecond, 0)}${fmt(r.parallelPerSecond, 0)}`);
    const ratio = (a, b) => (a / b).toFixed(2);
    console.log(`ratio (ours / bare): p50 ${ratio(oursResult.p50, bareResult.p50)}x, p99 ${ratio(oursResult.p99, bareResult.p99)}x, sequential throughput ${ratio(oursResult.sequentialPerSecond, bareResult.sequentialPerSecond)}x, parallel throughput ${ratio(oursResult.parallelPerSecond, bareResult.parallelPerSecond)}x`);
    const within = oursResult.p50 / bareResult.p50 <= 2;
    console.log(`target (p50 latency within 2x of the bare server): ${within ? 'met' : 'NOT met'}`);
    // What the MCP front door adds on top of the domain work, against what the bare server spends in total.
    const overhead = oursResult.p50 - serviceResult.p50;
    console.log(`MCP layer overhead (ours p50 - service p50): ${overhead.toFixed(2)} ms = ${ratio(overhead, bareResult.p50)}x the bare server's p50; the rest (${serviceResult.p50.toFixed(2)} ms) is the domain service (validate, load, save with events)`);
    // For `npm run bench` (bench/runAll.mjs), which writes docs/benchmarks.md.
    if (process.env.BENCH_RESULT_FILE) {
      writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify({ benchmark: 'mcp', provider: db, instances: INSTANCES, calls: CALLS, concurrency: CONCURRENCY, missions: MISSIONS, bare: bareResult, ours: oursResult, service: { ...serviceResult, parallelPerSecond: null }, targetMet: within }));
    }
  } finally {
    await ours.close();
    await bare.close();
  }
}

await main();
