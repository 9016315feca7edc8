// A seeded fuzz pass over the front doors of a running `mission-control start`: a few hundred
// malformed MCP tool calls (wrong types, missing fields, huge strings, unknown ids, calls the
// mission's state refuses, junk keys), raw malformed JSON-RPC bodies, and malformed Slack
// requests (interaction payloads, slash commands, Events API bodies), correctly signed, and GitHub
// webhook deliveries (unsigned, wrongly signed, replayed, malformed). Every
// answer must be a well-formed refusal, the process must stay up and healthy, and nothing may
// be written: mission count, event count and every mission's version are unchanged.
import { createHmac } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import webhookExamples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_INTENT_LENGTH } from '../../src/domain/missionInputs.js';
import { ERROR_META_KEY, type ToolErrorInfo } from '../../src/mcp/toolResults.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { PROVIDERS } from '../support/databases.js';
import { FakeSlack } from '../support/fakeSlack.js';
import {
  burstPlay,
  checkSlackShowsFinalState,
  driveToExecution,
  eventually,
  freshInstanceDatabaseUrl,
  isDirectMessage,
  McpPeer,
  MCP_SECRET,
  onCleanup,
  openLedger,
  REQUESTER,
  runCleanups,
  signedSlackPost,
  SIGNING_SECRET,
  sleep,
  startInstance,
  textOf,
  troubleIn,
  type Instance,
  type Ledger,
} from '../support/systemHarness.js';

afterEach(runCleanups);

const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123456789abcdef';
function githubSignature(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
/** Top-level fields the webhook handler reads, per event, where any junk (removed, a string, a number, null) makes the delivery malformed or ignored. */
const WEBHOOK_FIELDS_READ = {
  pull_request: ['action', 'pull_request', 'repository'],
  pull_request_review: ['action', 'review', 'pull_request', 'repository'],
  check_run: ['check_run', 'repository'],
  check_suite: ['check_suite', 'repository'],
  status: ['state', 'repository'],
  workflow_run: ['workflow_run', 'repository'],
  deployment_status: ['deployment_status', 'deployment', 'repository'],
} as const;
/** A real payload of `event` from @octokit/webhooks-examples, deep-copied. */
// biome-ignore lint/suspicious/noExplicitAny: GitHub's example payloads, reshaped freely by the test
function webhookExample(event: string, action?: string): any {
  const all = (webhookExamples as unknown as Array<{ name: string; examples: Array<Record<string, unknown>> }>).find((e) => e.name === event)!.examples;
  return structuredClone(action === undefined ? all[0] : all.find((e) => e.action === action));
}

/** mulberry32: a small seeded generator, so a failure can be replayed with the printed seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => next() < p;
  const word = (max = 12) => Array.from({ length: 1 + int(max) }, () => pick('abcdefghijklmnopqrstuvwxyz_0123456789'.split(''))).join('');
  const nasty = () =>
    pick([
      '',
      ' ',
      '\u0000',
      '\u202e\u200b',
      '<script>alert(1)</script>',
      '\'; DROP TABLE "Mission"; --',
      '{{7*7}}',
      '../../etc/passwd',
      '😀'.repeat(1 + int(50)),
      '\\ud800',
      'null',
      'NaN',
      word(40),
    ]);
  /** Longer than every text limit of the inputs (the longest, an intent, is MAX_INTENT_LENGTH). */
  const huge = () => pick(['x', 'é', '😀', 'a b ']).repeat(pick([MAX_INTENT_LENGTH + 1, 70_000, 300_000]));
  /** Any JSON value, nested a little. */
  const junk = (depth = 0): unknown => {
    switch (int(depth > 2 ? 7 : 9)) {
      case 0:
        return null;
      case 1:
        return chance(0.5);
      case 2:
        return pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31]);
      case 3:
        return nasty();
      case 4:
        return chance(0.1) ? huge() : word();
      case 5:
        return [];
      case 6:
        return {};
      case 7:
        return Array.from({ length: 1 + int(4) }, () => junk(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: 1 + int(4) }, () => [pick([word(), '__proto__', 'constructor', 'missionId', 'kind']), junk(depth + 1)]));
    }
  };
  /** A value of the wrong type for a field that wants a string, array or object. */
  const wrongType = () => pick<unknown>([null, 42, -3.5, true, false, [], [1, 2], {}, { nested: 'object' }]);
  return { next, int, pick, chance, word, nasty, huge, junk, wrongType };
}
type Rng = ReturnType<typeof prng>;

const WRITE_TOOLS = [
  'start_mission',
  'update_brief',
  'select_toolkits',
  'propose_plays',
  'request_approval',
  'report_progress',
  'attach_evidence',
  'complete_mission',
  'request_rollback',
  'add_follow_up',
  'submit_retrospective',
] as const;
const READ_TOOLS = ['list_missions', 'get_mission', 'search_library', 'wait_for_approval'] as const;

interface Targets {
  defining: string;
  executing: string;
}

/** Arguments every one of which some check must refuse. */
function badToolArgs(rng: Rng, tool: string, targets: Targets): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (tool === 'start_mission') {
    if (!rng.chance(0.2)) args.intent = rng.pick<unknown>([rng.wrongType(), '', '  ', 'ab', 'x'.repeat(MAX_INTENT_LENGTH + 1), rng.huge()]);
    if (rng.chance(0.5)) args.channelId = rng.pick<unknown>([rng.wrongType(), rng.nasty()]);
  } else {
    const target = rng.int(10);
    if (target < 5) {
      // Not a mission: missing, wrong type, unknown or absurd id.
      if (rng.chance(0.85)) args.missionId = rng.pick<unknown>([rng.wrongType(), `msn_${rng.word(20)}`, rng.nasty(), rng.huge(), 'msn_00000000000000000000']);
    } else if (target < 7 || tool === 'update_brief') {
      // The executing mission, with a field no check can accept.
      args.missionId = targets.executing;
      Object.assign(args, brokenField(rng, tool));
    } else {
      // The mission still defining its brief: every tool but update_brief is refused by its state.
      args.missionId = targets.defining;
      if (rng.chance(0.5)) Object.assign(args, brokenField(rng, tool));
    }
  }
  // Junk keys on top (ignored or refused, never written).
  for (let i = rng.int(3); i > 0; i--) args[rng.pick([rng.word(), '__proto__', 'constructor', 'toString'])] = rng.junk();
  return args;
}

function brokenField(rng: Rng, tool: string): Record<string, unknown> {
  switch (tool) {
    case 'update_brief':
      return rng.pick([
        { edits: rng.wrongType() },
        { edits: [{ kind: rng.word(), items: ['x'] }] },
        { lock: rng.pick(['yes', 1, null]) },
        { remove: [rng.word()] },
        { edits: [{ kind: 'kpis', items: rng.wrongType() }] },
      ]);
    case 'select_toolkits':
      return rng.pick([{ toolkits: rng.wrongType() }, { toolkits: [{ toolkitId: rng.huge() }] }, { coverage: [{ toolkitId: 'github', status: rng.word() }] }]);
    case 'propose_plays':
      return rng.pick([
        { plays: rng.wrongType() },
        { plays: [] },
        { plays: [{ ...burstPlay(1, 1), confidence: rng.pick([2, -1, 'high']) }] },
        { plays: [{ ...burstPlay(1, 1), phases: [] }] },
        { plays: Array.from({ length: 6 }, () => burstPlay(1, 1)) },
      ]);
    case 'request_approval':
      return rng.pick([{ playId: rng.wrongType() }, { playId: `play_${rng.word()}` }, { note: rng.huge() }]);
    case 'report_progress':
      return rng.pick([
        { kind: rng.word() },
        { kind: rng.wrongType() },
        { kind: 'step_completed', phaseId: 'phase_1', stepId: 'Not A Snake Id!', durationMs: 10, counts: {} },
        { kind: 'step_completed', phaseId: 'phase_1', stepId: 'p1_step_1', durationMs: rng.pick(['fast', -5, null]), counts: {} },
        { kind: 'step_completed', phaseId: `phase_${rng.word()}`, stepId: 'p1_step_1', durationMs: 10, counts: {} },
        { kind: 'test_run', phaseId: 'phase_1', total: -1, passing: 'all' },
        { kind: 'phase_started', phaseId: rng.wrongType() },
        { kind: 'validator_alert', phaseId: 'phase_1', type: rng.word(), severity: 'low', description: 'x' },
      ]);
    case 'attach_evidence':
      return rng.pick([
        { kind: rng.word(), name: 'x' },
        { kind: 'markdown', name: rng.wrongType(), content: 'x' },
        { kind: 'json', name: 'x', json: undefined },
        { kind: 'link', name: 'x', url: rng.pick(['not a url', 'javascript:alert(1)', rng.wrongType()]) },
      ]);
    case 'request_rollback':
      return rng.pick([{ reason: rng.wrongType() }, { reason: rng.huge() }, { reason: '' }]);
    case 'add_follow_up':
      return rng.pick([{ title: rng.wrongType() }, { title: rng.huge() }, { title: '' }, { title: 'x', priority: rng.word() }]);
    case 'submit_retrospective':
      return rng.pick([{ wentWell: rng.wrongType() }, { toImprove: [rng.huge()] }, {}]);
    case 'complete_mission':
      return {}; // the executing mission's gates are not met
    default:
      return { [rng.word()]: rng.junk() };
  }
}

/**
 * A signed body Bolt itself cannot read, before any listener of ours: an Events API body whose
 * `event` is not an object or whose `event.user` is not a string, or an interaction payload whose
 * `user` is present but not an object. Bolt throws a TypeError and answers 500.
 */
function isBoltUnreadable(body: string, contentType: string): boolean {
  try {
    if (contentType === 'application/json') {
      const parsed = JSON.parse(body) as { type?: unknown; event?: unknown };
      if (parsed === null || typeof parsed !== 'object' || parsed.type !== 'event_callback') return false;
      const event = parsed.event as { user?: unknown } | null;
      return event === null || typeof event !== 'object' || Array.isArray(event) || ('user' in event && typeof event.user !== 'string');
    }
    const payload = new URLSearchParams(body).get('payload');
    if (payload === null) return false;
    const parsed = JSON.parse(payload) as { user?: unknown } | null;
    return parsed !== null && typeof parsed === 'object' && 'user' in parsed && (parsed.user === null || typeof parsed.user !== 'object');
  } catch {
    return false;
  }
}

async function footprint(ledger: Ledger): Promise<{ missions: number; events: number; versions: string; slackMessages: number }> {
  const rows = await ledger.db.prisma.mission.findMany({ select: { id: true, version: true, eventSeq: true }, orderBy: { id: 'asc' } });
  return {
    missions: rows.length,
    events: await ledger.eventCount(),
    versions: rows.map((r) => `${r.id}@${r.version}/${r.eventSeq}`).join(','),
    slackMessages: await ledger.db.prisma.slackMessage.count(),
  };
}

async function expectHealthy(instance: Instance): Promise<void> {
  expect(instance.alive(), `${instance.name} died:\n${instance.output().slice(-3000)}`).toBe(true);
  expect((await fetch(`${instance.baseUrl}/healthz`)).status).toBe(200);
}

describe.each(PROVIDERS)('fuzzing the front doors (%s)', (provider) => {
  it('refuses a few hundred malformed MCP calls and Slack requests, stays up, and writes nothing', { timeout: 300_000 }, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261124);
    const rng = prng(seed);
    const slack = new FakeSlack();
    await slack.start();
    onCleanup(() => slack.stop());
    const url = freshInstanceDatabaseUrl(provider);
    const instance = await startInstance('fuzz', {
      DATABASE_URL: url,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_APPROVERS: REQUESTER,
      APPROVALS_REQUIRED: 'low:0,medium:0,high:0,critical:0',
      MCP_TOKENS: `fuzz-assistant:${MCP_SECRET}:${REQUESTER}`,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    const ledger = await openLedger(url);
    const peer = new McpPeer(instance);

    // Two real missions to aim at: one still defining, one executing (step 1 of 2 reported).
    const defining = (await peer.ok<{ mission: { id: string } }>('start_mission', { intent: 'Fuzz target: keep the brief open', channelId: 'C0FUZZ' })).mission
      .id;
    const { missionId: executing } = await driveToExecution([peer], 'Fuzz target: execute the play', 'C0FUZZ', burstPlay(1, 2), 0, ledger);
    await peer.ok('report_progress', { missionId: executing, kind: 'phase_started', phaseId: 'phase_1' });
    await peer.ok('report_progress', { missionId: executing, kind: 'step_completed', phaseId: 'phase_1', stepId: 'p1_step_1', durationMs: 10, counts: {} });
    await eventually(() => checkSlackShowsFinalState(ledger, slack, [defining, executing]), 60_000, 300);
    const before = await footprint(ledger);
    const slackCallsBefore = slack.calls.filter((c) => c.method === 'chat.update' || c.method === 'chat.postMessage').length;
    const phaseStarted = Date.now();
    const lap = (what: string) => process.stdout.write(`[system] fuzz ${what}: ${Date.now() - phaseStarted} ms\n`);
    const targets = { defining, executing };
    const tally = { mcpRefused: 0, mcpReads: 0, protocolErrors: 0, raw: 0, slack: 0, bolt500: 0 };

    // 1. Tool calls through the SDK client: write tools must be refused as tool results (isError with code and message).
    for (let i = 0; i < 250; i++) {
      const unknownTool = rng.chance(0.04);
      const tool = unknownTool ? `no_such_${rng.word()}` : rng.chance(0.85) ? rng.pick(WRITE_TOOLS) : rng.pick(READ_TOOLS);
      const args = READ_TOOLS.includes(tool as never)
        ? rng.pick<Record<string, unknown>>([
            { missionId: rng.junk() },
            { state: rng.word(), limit: rng.junk() },
            { query: rng.huge() },
            { missionId: executing, timeoutSeconds: rng.pick([-1, 0, 10_000, 'soon']) },
            { cursor: rng.nasty() },
          ])
        : badToolArgs(rng, tool, targets);
      const label = `#${i} ${tool} ${JSON.stringify(args).slice(0, 300)}`;
      let result: CallToolResult;
      try {
        result = await peer.call(tool, args, 30_000);
      } catch (error) {
        // Only an unknown tool may be a protocol error (JSON-RPC error from the SDK); anything else is a bug.
        expect(unknownTool, `${label}: threw ${String(error)}`).toBe(true);
        tally.protocolErrors += 1;
        continue;
      }
      if (READ_TOOLS.includes(tool as never)) {
        tally.mcpReads += 1;
        if (!result.isError) continue;
      } else if (unknownTool) {
        // The SDK may answer an unknown tool with an isError result instead of a protocol error.
        expect(result.isError, label).toBe(true);
        tally.protocolErrors += 1;
        continue;
      }
      expect(result.isError, `${label}: accepted: ${textOf(result).slice(0, 300)}`).toBe(true);
      const info = result._meta?.[ERROR_META_KEY] as ToolErrorInfo | undefined;
      expect(info, `${label}: no error info in _meta`).toBeDefined();
      expect(typeof info!.code === 'string' && info!.message.length > 0, label).toBe(true);
      expect(info!.message).toBe(textOf(result));
      tally.mcpRefused += 1;
      if (i % 50 === 49) await expectHealthy(instance);
    }
    expect(await footprint(ledger)).toEqual(before);
    lap('tool calls');

    // 1b. Otherwise valid calls with text no store can keep (NUL, lone surrogates): refused naming the field, never "internal error".
    const unusable = ['\u0000', '\ud800', '\udfff', 'ok\ud83d'];
    for (const bad of unusable) {
      for (const [tool, args, field] of [
        ['start_mission', { intent: `Fuzz: fix the session bug ${bad} in the refresh path`, channelId: 'C0FUZZ' }, 'intent'],
        ['start_mission', { intent: 'Fuzz: fix the session bug in the refresh path', channelId: `C0FUZZ${bad}` }, 'channelId'],
        ['list_missions', { text: `session${bad}` }, 'text'],
      ] as const) {
        const result = await peer.call(tool, { ...args }, 30_000);
        const label = `${tool} with ${JSON.stringify(bad)} in ${field}`;
        expect(result.isError, label).toBe(true);
        const info = result._meta?.[ERROR_META_KEY] as ToolErrorInfo;
        expect(info, label).toMatchObject({ code: 'invalid_input', details: { field } });
        expect(info.message, label).toMatch(/NUL character|lone UTF-16 surrogate/);
      }
    }
    expect(await footprint(ledger)).toEqual(before);
    lap('unusable text');

    // 2. Raw bodies to /mcp: malformed JSON, wrong JSON-RPC shapes, huge bodies. A 4xx (or a JSON-RPC error), never a 5xx.
    const session = await fetch(`${instance.baseUrl}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MCP_SECRET}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
      }),
    });
    const sessionId = session.headers.get('mcp-session-id')!;
    await session.text();
    expect(sessionId).toBeTruthy();
    const rawBodies = (): string[] => [
      '',
      '{',
      'null',
      '[]',
      '[1,2,3]',
      '"just a string"',
      '{"jsonrpc":"1.0","id":1,"method":"tools/call"}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"nope"}',
      '{"jsonrpc":"2.0","id":{},"method":"tools/call","params":{"name":"start_mission","arguments":"intent"}}',
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"start_mission","arguments":{"intent":${JSON.stringify(rng.huge())}}}}`,
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: rng.word(), params: rng.junk() }),
      JSON.stringify([{ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'report_progress', arguments: rng.junk() } }, rng.junk()]),
      JSON.stringify(rng.junk()).slice(0, 1 + rng.int(200)),
      '\u0000\u0001\u0002',
    ];
    for (let round = 0; round < 5; round++) {
      for (const body of rawBodies()) {
        const withSession = rng.chance(0.8);
        const res = await fetch(`${instance.baseUrl}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${MCP_SECRET}`,
            'content-type': rng.chance(0.9) ? 'application/json' : rng.pick(['text/plain', 'application/x-www-form-urlencoded']),
            accept: 'application/json, text/event-stream',
            ...(withSession ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
          },
          body,
        });
        const text = await res.text();
        expect(res.status, `raw /mcp body ${body.slice(0, 200)} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status === 200)
          expect(/"error"|"isError":true/.test(text), `raw /mcp body ${body.slice(0, 200)} was accepted: ${text.slice(0, 300)}`).toBe(true);
        tally.raw += 1;
      }
    }
    await expectHealthy(instance);
    expect(await footprint(ledger)).toEqual(before);

    lap('raw /mcp');
    // 3. Slack: interactions, slash commands and Events API bodies, signed (a few unsigned or stale: 401).
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const badValue = () =>
      rng.pick<string>([
        rng.nasty(),
        JSON.stringify(rng.junk()),
        JSON.stringify({ missionId: `msn_${rng.word(20)}` }),
        JSON.stringify({ missionId: `msn_${rng.word(20)}`, playId: rng.word(), requestId: rng.word(), chip: 'kpis' }),
        JSON.stringify({ missionId: rng.huge() }),
        '{"missionId":',
      ]);
    const user = () => rng.pick<unknown>([{ id: `U0FUZZ${rng.int(1000)}`, name: 'fuzzer' }, { id: REQUESTER, name: 'Jordan' }, {}, null, rng.junk()]);
    const interaction = (): unknown =>
      rng.pick<() => unknown>([
        () => rng.junk(),
        () => ({ type: rng.word() }),
        () => ({
          type: 'block_actions',
          user: user(),
          team: { id: 'T0FAKE' },
          api_app_id: 'A0MISSION',
          trigger_id: rng.word(),
          channel: { id: 'C0FUZZ' },
          container: { type: 'message', message_ts: '1.2', channel_id: 'C0FUZZ' },
          message: rng.chance(0.5) ? { ts: '1.2', blocks: rng.junk() } : undefined,
          response_url: slack.responseUrl(`fuzz-${rng.int(1e6)}`),
          actions: rng.chance(0.1)
            ? rng.junk()
            : [
                {
                  type: rng.pick(['button', 'checkboxes', rng.word()]),
                  action_id: rng.pick([...Object.values(ACTION_IDS), `mc_${rng.word()}`, rng.word()]),
                  block_id: rng.word(),
                  value: badValue(),
                  selected_options: rng.chance(0.3) ? [{ value: rng.pick(['github', 'linear', rng.word()]) }] : undefined,
                  action_ts: '1.3',
                },
              ],
        }),
        () => ({
          type: 'view_submission',
          user: user(),
          team: { id: 'T0FAKE' },
          api_app_id: 'A0MISSION',
          view: {
            id: 'V0FUZZ',
            type: 'modal',
            callback_id: rng.pick([...Object.values(VIEW_IDS), rng.word()]),
            private_metadata: badValue(),
            state: {
              values: rng.chance(0.5)
                ? rng.junk()
                : {
                    reason: { reason: { type: 'plain_text_input', value: rng.chance(0.5) ? rng.huge() : rng.nasty() } },
                    rating: { rating: { selected_option: { value: rng.pick(['9', '-1', 'five']) } } },
                  },
            },
          },
        }),
        () => ({ type: 'view_closed', user: user(), view: { callback_id: rng.pick(Object.values(VIEW_IDS)), private_metadata: badValue() } }),
        () => ({ type: 'shortcut', callback_id: rng.word(), user: user(), trigger_id: rng.word() }),
      ])();
    const commandText = () =>
      rng.pick<string>([
        '',
        '   ',
        rng.word(),
        `status ${rng.word()}`,
        `status msn_${rng.word(20)}`,
        `status ${rng.word()} ${rng.word()}`,
        `cancel msn_${rng.word(20)}`,
        'cancel',
        `${rng.word()} ${'x'.repeat(MAX_INTENT_LENGTH + 10)}`,
        `fix ${rng.huge()}`,
        rng.nasty().replace(/\s+/g, '') || 'stauts',
      ]);
    const slackRequests: Array<{ i: number; body: string; type: string; signature: number }> = [];
    for (let i = 0; i < 220; i++) {
      const kind = rng.int(10);
      let body: string;
      let type = 'application/x-www-form-urlencoded';
      if (kind < 5) {
        body = rng.chance(0.1) ? form({ payload: rng.pick(['{', 'not json', '', '[]', '{"type":']) }) : form({ payload: JSON.stringify(interaction()) });
      } else if (kind < 8) {
        const fields: Record<string, string> = {
          command: rng.chance(0.9) ? '/mission' : `/${rng.word()}`,
          text: commandText(),
          user_id: rng.chance(0.9) ? `U0FUZZ${rng.int(100)}` : '',
          user_name: 'fuzzer',
          channel_id: rng.pick(['C0FUZZ', '', rng.word()]),
          team_id: 'T0FAKE',
          response_url: slack.responseUrl(`fuzz-cmd-${i}`),
          trigger_id: rng.word(),
          api_app_id: 'A0MISSION',
        };
        for (const key of Object.keys(fields)) if (rng.chance(0.05)) delete fields[key];
        body = form(fields);
      } else {
        type = 'application/json';
        body = rng.pick([
          () =>
            JSON.stringify({
              type: 'event_callback',
              team_id: 'T0FAKE',
              api_app_id: 'A0MISSION',
              event: rng.chance(0.5) ? { type: 'app_home_opened', user: rng.junk(), tab: rng.pick(['home', 'messages', rng.word()]) } : rng.junk(),
              event_id: rng.word(),
              event_time: 1,
            }),
          () => JSON.stringify(rng.junk()),
          () => '{"type":"event_callback","event":',
          () => JSON.stringify({ type: 'url_verification', challenge: rng.word() }),
        ])();
      }
      slackRequests.push({ i, body, type, signature: rng.int(20) });
    }
    // The bodies that used to end the process (Bolt read a property of a body parsing to null in an unawaited promise): now 400.
    for (const [body, type] of [
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['null', 'application/json'],
    ] as const) {
      expect((await signedSlackPost(instance, body, type)).status, body).toBe(400);
      await expectHealthy(instance);
    }
    // Sent 44 at a time: requests no listener acknowledges are answered by Bolt only after its 3 s timer.
    const send = async ({ i, body, type, signature }: (typeof slackRequests)[number]) => {
      const label = `slack #${i} (${type}) ${body.slice(0, 300)}`;
      const res = await signedSlackPost(
        instance,
        body,
        type,
        signature === 0 ? { signature: `v0=${'0'.repeat(64)}` } : signature === 1 ? { timestamp: Math.floor(Date.now() / 1000) - 3600 } : {},
      ).catch((error: unknown) => {
        throw new Error(
          `${label}: no answer (${String(error)}); ${instance.name} ${instance.alive() ? 'is alive' : 'died'}:\n${instance.output().slice(-4000)}`,
        );
      });
      if (signature <= 1) expect(res.status, label).toBe(401);
      else if (res.status === 500 && isBoltUnreadable(body, type)) {
        // Known, reported: Bolt (not our code) throws while reading a signed body Slack never sends (see
        // isBoltUnreadable) and its default processEventErrorHandler answers 500. No listener runs, nothing is
        // written, the process stays up (checked below).
        tally.bolt500 += 1;
      } else expect(res.status, `${label} answered ${res.status}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
      tally.slack += 1;
    };
    for (let start = 0; start < slackRequests.length; start += 44) {
      await Promise.all(slackRequests.slice(start, start + 44).map(send));
      await expectHealthy(instance);
    }

    lap('Slack');
    // Handlers run after the ack: give them time to reply, then nothing may have been written or posted to the thread.
    await sleep(3000);
    await expectHealthy(instance);
    expect(await footprint(ledger)).toEqual(before);
    // Refusals go only to the person (ephemeral or DM); no thread message was posted or edited.
    // (A refusal for a request without a user or channel is addressed to nobody: Slack answers channel_not_found.)
    const threadCalls = slack.calls.filter(
      (c) =>
        c.method === 'chat.update' ||
        (c.method === 'chat.postMessage' && !isDirectMessage(c.args) && (/^[CG]/.test(String(c.args.channel ?? '')) || c.args.thread_ts !== undefined)),
    );
    expect(
      threadCalls.length,
      JSON.stringify(
        threadCalls
          .slice(slackCallsBefore)
          .map((c) => ({ method: c.method, channel: c.args.channel, thread: c.args.thread_ts, text: String(c.args.text).slice(0, 200) })),
      ),
    ).toBe(slackCallsBefore);
    await checkSlackShowsFinalState(ledger, slack, [defining, executing]);
    const trouble = troubleIn(instance.output());
    // Bolt's own "An unhandled error occurred while Bolt processed an event" is the known 500 above (counted).
    const boltHandled = trouble.errors.filter((l) => l.includes('An unhandled error occurred while Bolt processed an event')).length;
    expect(boltHandled).toBe(tally.bolt500);
    expect(
      trouble.errors.filter((l) => /uncaught|unhandled/i.test(l) && !l.includes('while Bolt processed an event')),
      'uncaught errors',
    ).toEqual([]);

    // 4. GitHub webhook deliveries: one real delivery for the executing mission is applied; then unsigned, wrongly
    // signed, replayed (same X-GitHub-Delivery id) and malformed ones are refused, and nothing more is written.
    const deliver = (event: string, body: string, headers: Record<string, string | null>) =>
      fetch(`${instance.baseUrl}/github/webhooks`, {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries({
            'content-type': 'application/json',
            'x-github-event': event,
            'x-github-delivery': `fuzz-${rng.word(16)}`,
            'x-hub-signature-256': githubSignature(body),
            ...headers,
          }).filter((entry): entry is [string, string] => entry[1] !== null),
        ),
        body,
      });
    const opened = webhookExample('pull_request', 'opened');
    opened.pull_request.body = `Fuzz target PR for ${executing}`;
    const openedBody = JSON.stringify(opened);
    const applied = await deliver('pull_request', openedBody, { 'x-github-delivery': 'fuzz-real-delivery' });
    expect([applied.status, ((await applied.json()) as { status: string }).status]).toEqual([200, 'applied']);
    await eventually(() => checkSlackShowsFinalState(ledger, slack, [defining, executing]), 60_000, 300);
    const afterApplied = { ...(await footprint(ledger)), deliveries: await ledger.db.prisma.gitHubWebhookDelivery.count() };
    const githubTally = { unsigned: 0, badSignature: 0, replayed: 0, malformed: 0 };
    for (let i = 0; i < 120; i++) {
      const event = rng.pick(['pull_request', 'pull_request_review', 'check_run', 'check_suite', 'status', 'workflow_run', 'deployment_status'] as const);
      const payload = webhookExample(event);
      // Break a field the handler reads: removed, wrong type, junk.
      const key = rng.pick(WEBHOOK_FIELDS_READ[event]);
      if (rng.chance(0.5)) delete payload[key];
      else payload[key] = rng.pick<unknown>([rng.nasty(), rng.int(1000), null, [], rng.junk()]);
      const malformed = rng.pick([JSON.stringify(payload), JSON.stringify(rng.junk()), '{', '', rng.nasty()]);
      const kind = rng.int(4);
      const label = `github #${i} ${event} kind ${kind} ${malformed.slice(0, 200)}`;
      const res =
        kind === 0
          ? await deliver(event, openedBody, { 'x-hub-signature-256': null })
          : kind === 1
            ? await deliver(event, rng.chance(0.5) || malformed === '' ? openedBody : malformed, {
                'x-hub-signature-256': rng.pick([
                  `sha256=${'0'.repeat(64)}`,
                  'sha256=zz',
                  githubSignature(openedBody, 'not-the-secret-0123456789'),
                  `sha1=${rng.word(40)}`,
                  'sha256=',
                ]),
              })
            : kind === 2
              ? await deliver('pull_request', rng.chance(0.5) ? openedBody : JSON.stringify({ ...opened, action: 'synchronize' }), {
                  'x-github-delivery': 'fuzz-real-delivery',
                })
              : await deliver(event, malformed, {});
      const text = await res.text();
      if (kind <= 1) expect(res.status, `${label}: ${text}`).toBe(401);
      else if (kind === 2) expect([res.status, text], label).toEqual([200, expect.stringContaining('"duplicate"')]);
      else expect([400, 202], `${label}: ${res.status} ${text}`).toContain(res.status);
      githubTally[(['unsigned', 'badSignature', 'replayed', 'malformed'] as const)[kind]!] += 1;
    }
    await expectHealthy(instance);
    expect({ ...(await footprint(ledger)), deliveries: await ledger.db.prisma.gitHubWebhookDelivery.count() }).toEqual(afterApplied);
    lap(`GitHub deliveries ${JSON.stringify(githubTally)}`);
    process.stdout.write(
      `[system] fuzz (${provider}, seed ${seed}): ${tally.mcpRefused} tool calls refused, ${tally.mcpReads} reads, ${tally.protocolErrors} unknown tools, ${tally.raw} raw /mcp bodies, ${tally.slack} Slack requests (${tally.bolt500} unreadable bodies answered 500 by Bolt, ${slack.calls.filter((c) => c.method === 'response_url').length} replies via response_url); error log lines: ${trouble.errors.length}\n`,
    );
  });
});
