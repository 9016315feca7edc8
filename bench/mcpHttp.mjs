#!/usr/bin/env node
// Benchmark: report_progress over Streamable HTTP on Mission Control's /mcp, against a bare SDK
// server with one echo tool, started in the same run with the same transport set-up (stateful
// session, SSE responses, one Node HTTP server each). The two, and the domain service alone,
// take turns in blocks of calls so machine noise falls on all of them; the MCP clients run in a
// worker thread, as an assistant runs in a process of its own. Prints tool calls per
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
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
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
import { ASSISTANT, executingMissions, testRunReport } from './benchMissions.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MISSIONS = Number(process.env.BENCH_MISSIONS ?? 40);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';
const WARMUP = Math.min(200, Math.ceil(CALLS / 10));
const SECRET = 'bench-secret-0123456789abcdef';
const logger = pino({ level: 'silent' });


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
  const missions = await executingMissions(app.missions, MISSIONS);
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
 * { label, block(from, to) -> latencies of calls from..to-1, parallelRound(perClient) -> ms, or null }.
 */
async function measureInterleaved(targets) {
  for (const target of targets) await target.block(0, WARMUP);
  const latencies = targets.map(() => []);
  const spent = targets.map(() => 0);
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (const [k, target] of targets.entries()) {
      const block = await target.block(done, Math.min(CALLS, done + BLOCK));
      latencies[k].push(...block);
      spent[k] += block.reduce((a, b) => a + b, 0);
    }
  }
  // Throughput: CONCURRENCY sessions calling back to back, again alternating target by target in rounds.
  const perClientRound = Math.max(1, Math.ceil(BLOCK / CONCURRENCY));
  const rounds = Math.max(1, Math.ceil(CALLS / (perClientRound * CONCURRENCY)));
  const parallelSpent = targets.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (const [k, target] of targets.entries()) if (target.parallelRound) parallelSpent[k] += await target.parallelRound(perClientRound);
  }
  return targets.map((t, k) => {
    const sorted = latencies[k].sort((a, b) => a - b);
    return {
      label: t.label,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      sequentialPerSecond: CALLS / (spent[k] / 1000),
      parallelPerSecond: t.parallelRound ? (rounds * perClientRound * CONCURRENCY) / (parallelSpent[k] / 1000) : NaN,
    };
  });
}

// ---- the MCP clients: a worker thread, as an assistant would be another process ------------
// In the servers' own thread the clients' work (fetch, SSE parsing) would queue behind the
// server's and the server's behind theirs whenever either awaits I/O, charging the server for
// the client. Both servers are measured from the same worker.

function callFor(spec, i) {
  if (spec.tool === 'echo') return { name: 'echo', arguments: { text: `hello ${i}` } };
  return { name: 'report_progress', arguments: testRunReport(spec.missions, i) };
}

async function clientWorker() {
  const targets = new Map();
  const call = async (spec, client, i) => {
    const result = await client.callTool(callFor(spec, i));
    if (result.isError) throw new Error(`${spec.tool}: ${result.content[0].text}`);
  };
  const handlers = {
    // Sequential call i goes to instance i mod n; the parallel sessions are spread the same way.
    connect: async ({ target, urls, token, spec }) => {
      const sequential = await Promise.all(urls.map((url) => connect(url, token)));
      const parallel = await Promise.all(Array.from({ length: CONCURRENCY }, (_, j) => connect(urls[j % urls.length], token)));
      targets.set(target, { spec, sequential, parallel, next: 0 });
    },
    block: async ({ target, from, to }) => {
      const t = targets.get(target);
      const latencies = [];
      for (let i = from; i < to; i++) {
        const started = performance.now();
        await call(t.spec, t.sequential[i % t.sequential.length], i);
        latencies.push(performance.now() - started);
      }
      return latencies;
    },
    parallelRound: async ({ target, perClient }) => {
      const t = targets.get(target);
      const started = performance.now();
      await Promise.all(t.parallel.map(async (client) => {
        for (let i = 0; i < perClient; i++) await call(t.spec, client, t.next++);
      }));
      return performance.now() - started;
    },
    close: async () => {
      for (const t of targets.values()) await Promise.all([...t.sequential, ...t.parallel].map((c) => c.close()));
      targets.clear();
    },
  };
  parentPort.on('message', ({ id, type, ...args }) => {
    handlers[type](args).then(
      (result) => parentPort.postMessage({ id, result }),
      (error) => parentPort.postMessage({ id, error: String(error?.stack ?? error) }),
    );
  });
}

function startClientWorker() {
  const worker = new Worker(new URL(import.meta.url));
  const pending = new Map();
  let nextId = 0;
  let closed = false;
  worker.on('message', ({ id, result, error }) => {
    const { resolve, reject } = pending.get(id);
    pending.delete(id);
    if (error) reject(new Error(error));
    else resolve(result);
  });
  const ask = (type, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, type, ...args });
    });
  return {
    /** A target served over MCP: `urls` is one server, or several instances the sessions are spread across. */
    target: async (label, urls, token, spec) => {
      const target = label;
      await ask('connect', { target, urls: Array.isArray(urls) ? urls : [urls], token, spec });
      return { label, block: (from, to) => ask('block', { target, from, to }), parallelRound: (perClient) => ask('parallelRound', { target, perClient }) };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await ask('close', {});
      await worker.terminate();
    },
  };
}

const fmt = (n, digits = 2) => (Number.isNaN(n) ? 'n/a' : n.toFixed(digits)).padStart(9);

async function main() {
  const bare = await startBareServer();
  const ours = await startMissionControl();
  const clients = startClientWorker();
  try {
    const bareTarget = await clients.target('bare SDK echo', bare.url, null, { tool: 'echo' });
    const oursTarget = await clients.target(INSTANCES > 1 ? `report_progress x${INSTANCES}` : 'report_progress', ours.urls, SECRET, { tool: 'report_progress', missions: ours.missions });
    // The floor: the same report through the service, in this thread, no MCP, no HTTP.
    const serviceTarget = {
      label: 'service only',
      block: async (from, to) => {
        const latencies = [];
        for (let i = from; i < to; i++) {
          const started = performance.now();
          await ours.service.reportProgress(testRunReport(ours.missions, i), ASSISTANT);
          latencies.push(performance.now() - started);
        }
        return latencies;
      },
      parallelRound: null,
    };
    const [bareResult, oursResult, serviceResult] = await measureInterleaved([bareTarget, oursTarget, serviceTarget]);
    await clients.close();
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
    await clients.close().catch(() => undefined);
    await ours.close();
    await bare.close();
  }
}

if (isMainThread) await main();
else await clientWorker();
