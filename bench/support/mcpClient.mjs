// An MCP client as an assistant runs one: the SDK's Client over Streamable HTTP with a bearer
// token. The benchmark process is the assistant; the servers are processes of their own.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { deterministicBriefDrafter } from '../../dist/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../dist/domain/missionService.js';
import { randomIds, systemClock } from '../../dist/domain/runtime.js';
import { openDatabase } from '../../dist/storage/database.js';
import { PERSON } from './benchPlays.mjs';
import { BENCH_PLAY } from './benchPlays.mjs';

/**
 * The SDK client hands one long-lived AbortSignal to every fetch, and undici keeps a listener on
 * it per request until that request is garbage collected: after ~1500 calls every call copies
 * thousands of listeners, a cost of the measuring client that varies with garbage collection. The
 * benchmarks never cancel, so the signal is dropped (for every server alike).
 */
/**
 * Idle keep-alive connections are dropped after 0.5 s, well before the server's 5 s keep-alive
 * timeout: otherwise a call sent just as the server closes an idle connection fails with
 * ECONNRESET (a client race, not a server fault), which pauses between blocks and paced reports
 * on a loaded machine hit.
 */
const dispatcher = new Agent({ keepAliveTimeout: 500, keepAliveMaxTimeout: 500, keepAliveTimeoutThreshold: 4500 });
/** Connections the client saw reset (retried once, and counted: a benchmark prints the count). */
export const connectionResets = { count: 0 };
const RESET = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
const withoutSharedSignal = async (input, init) => {
  try {
    return await undiciFetch(input, { ...init, signal: undefined, dispatcher });
  } catch (error) {
    if (!RESET.has(error?.cause?.code)) throw error;
    connectionResets.count += 1;
    process.stderr.write(`client: connection reset (${error.cause.code}) on ${init?.method ?? 'GET'} ${input}; retried once\n`);
    return undiciFetch(input, { ...init, signal: undefined, dispatcher });
  }
};

export async function connectMcp(url, token) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: withoutSharedSignal }));
  return {
    client,
    /** Calls a tool; a refusal (isError) throws with the product's message. */
    call: async (name, args) => {
      const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
      if (result.isError) throw new Error(`${name}: ${result.content?.[0]?.text ?? 'refused'}`);
      return result.structuredContent;
    },
    read: (uri) => client.readResource({ uri }),
    close: () => client.close(),
  };
}

/**
 * A person accepts the assistant's coverage report on the benchmark's database, as Slack's button
 * would (no connector inspects in the benchmarks). Outside the timed part.
 */
async function personAcceptsReportedCoverage(databaseUrl, missionId) {
  const db = await openDatabase(databaseUrl, { migrate: false });
  try {
    const service = new MissionService({ repository: db.missions, clock: systemClock, ids: randomIds, drafter: deterministicBriefDrafter });
    await service.acceptReportedCoverage({ missionId }, PERSON);
  } finally {
    await db.close();
  }
}

/** A new mission taken to execution over MCP, as an assistant would (the low-risk play needs no approval). Returns its id. */
export async function executingMissionOverMcp(mcp, intent, databaseUrl) {
  const started = await mcp.call('start_mission', { intent });
  const missionId = started.mission?.id ?? started.id;
  await mcp.call('update_brief', { missionId, lock: true });
  await mcp.call('select_toolkits', {
    missionId,
    toolkits: [{ toolkitId: 'github' }],
    coverage: [{ toolkitId: 'github', status: 'ready', summary: '41 files, 212 tests' }],
  });
  await personAcceptsReportedCoverage(databaseUrl, missionId);
  await mcp.call('select_toolkits', { missionId });
  const planned = await mcp.call('propose_plays', { missionId, plays: [BENCH_PLAY] });
  const play = (planned.mission ?? planned).plays.find((p) => p.title === BENCH_PLAY.title);
  const approved = await mcp.call('request_approval', { missionId, playId: play.id });
  const state = approved.mission?.state ?? approved.state;
  if (state !== 'executing') throw new Error(`mission ${missionId} is ${state} after request_approval, expected executing`);
  await mcp.call('report_progress', { missionId, kind: 'phase_started', phaseId: BENCH_PLAY.phases[0].id });
  return missionId;
}
