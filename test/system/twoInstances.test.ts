// Two `mission-control start` processes on one PostgreSQL schema, driven by MCP clients that
// spread every mission's calls over both, with the Slack Web API at a local fake. Proves: each
// accepted report is recorded once (hash chains verify, step counts match the successes the
// clients saw), each Slack surface is posted once and ends showing the final state, nothing
// deadlocks; and, with an instance SIGKILLed mid-burst (while a chat.postMessage it sent is
// unanswered) and restarted, nothing accepted is lost and nothing is posted twice: on SQLite,
// the default (the only instance), in every run; on PostgreSQL (one of two) with TEST_DATABASE_URL.
import { afterEach, describe, expect, it } from 'vitest';
import type { Mission } from '../../src/domain/mission.js';
import { FakeSlack } from '../support/fakeSlack.js';
import {
  burstPlay,
  checkSlackShowsFinalState,
  driveToExecution,
  eventually,
  freshInstanceDatabaseUrl,
  McpPeer,
  MCP_SECRET,
  openLedger,
  REQUESTER,
  runCleanups,
  SIGNING_SECRET,
  sleep,
  startInstance,
  ToolRefused,
  troubleIn,
  type Instance,
  type Ledger,
} from '../support/systemHarness.js';

const TOKEN_A = 'xoxb-instance-a';
const TOKEN_B = 'xoxb-instance-b';

afterEach(runCleanups);

function envFor(databaseUrl: string, fake: FakeSlack, token: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_APPROVERS: REQUESTER,
    APPROVALS_REQUIRED: 'low:0,medium:0,high:0,critical:0',
    MCP_TOKENS: `burst-assistant:${MCP_SECRET}:${REQUESTER}`,
  };
}

interface Tally {
  /** Step ids the clients got a success response for, per mission. */
  accepted: Map<string, string[]>;
  /** Step ids whose call failed without an answer (the instance died) but whose effect was found recorded. */
  ambiguous?: Map<string, string[]>;
}

/** Reports every step of every phase of one mission, each phase's steps concurrently over both peers. */
async function reportAll(peers: () => McpPeer[], missionId: string, play: ReturnType<typeof burstPlay>, tally: Tally, report: ReportFn): Promise<void> {
  for (const [p, phase] of play.phases.entries()) {
    await report(peers, missionId, p, { kind: 'phase_started', phaseId: phase.id }, null);
    await Promise.all(
      phase.steps.map((step, s) =>
        report(
          peers,
          missionId,
          p + s,
          { kind: 'step_completed', phaseId: phase.id, stepId: step.id, durationMs: 1000 + s, counts: { files_modified: s } },
          step.id,
        ).then((ok) => {
          if (ok) tally.accepted.get(missionId)!.push(step.id);
        }),
      ),
    );
    await report(peers, missionId, p + 1, { kind: 'test_run', phaseId: phase.id, total: 40, passing: 40, coverage: 0.97, suite: 'vitest' }, null);
    await report(peers, missionId, p, { kind: 'phase_completed', phaseId: phase.id }, null);
  }
}

type ReportFn = (peers: () => McpPeer[], missionId: string, turn: number, args: Record<string, unknown>, stepId: string | null) => Promise<boolean>;

/** Without faults every call must succeed the first time. */
const strictReport: ReportFn = async (peers, missionId, turn, args) => {
  const list = peers();
  await list[turn % list.length]!.ok('report_progress', { missionId, ...args });
  return true;
};

async function expectRecordedOnce(ledger: Ledger, missions: Array<{ missionId: string }>, tally: Tally, stepsPerMission: number): Promise<void> {
  for (const { missionId } of missions) {
    expect(await ledger.service.verifyEventLog({ missionId }), missionId).toMatchObject({ ok: true });
    const events = await ledger.service.events({ missionId });
    const seqs = events.map((e) => e.seq);
    expect(seqs, `${missionId} event seqs`).toEqual(seqs.map((_, i) => i + 1));
    const steps = events
      .filter((e) => e.type === 'execution_step_completed')
      .map((e) => String((e.payload as { step?: unknown }).step))
      .sort();
    const accepted = [...tally.accepted.get(missionId)!, ...(tally.ambiguous?.get(missionId) ?? [])].sort();
    // Nothing accepted is lost, and nothing is recorded that no client sent.
    expect(steps, `${missionId}: steps recorded vs accepted`).toEqual(accepted);
    expect(new Set(steps).size, `${missionId}: a step recorded twice`).toBe(steps.length);
    expect(steps).toHaveLength(stepsPerMission);
    const mission = await ledger.mission(missionId);
    expect(mission.execution!.phases.reduce((n, p) => n + p.steps.length, 0)).toBe(stepsPerMission);
    // Every other report kind, exactly once per phase: a lost or duplicated phase start, test run or completion fails here too.
    const phases = mission.execution!.phases.map((p) => p.phaseId);
    const perPhase = (type: string) =>
      events
        .filter((e) => e.type === type)
        .map((e) => String((e.payload as { phase_id?: unknown }).phase_id))
        .sort();
    expect(perPhase('execution_phase_started'), `${missionId}: phase starts`).toEqual([...phases].sort());
    expect(perPhase('test_suite_run'), `${missionId}: test runs`).toEqual([...phases].sort());
    expect(perPhase('execution_phase_completed'), `${missionId}: phase completions`).toEqual([...phases].sort());
    expect(mission.execution!.phases.map((p) => p.testRuns.length)).toEqual(phases.map(() => 1));
  }
}

function expectNoTrouble(instances: Instance[]): void {
  for (const instance of instances) {
    const trouble = troubleIn(instance.output());
    expect(trouble.deadlocks, `${instance.name} logged a deadlock`).toEqual([]);
    expect(trouble.errors, `${instance.name} logged errors`).toEqual([]);
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('two instances on PostgreSQL', () => {
  it('a burst over both instances: every report recorded once, every Slack surface posted once and showing the final state, no deadlock', {
    timeout: 240_000,
  }, async () => {
    const fake = new FakeSlack({ token: TOKEN_A, otherTokens: [TOKEN_B] });
    await fake.start();
    const url = freshInstanceDatabaseUrl();
    // Started together: the migration lock decides which one migrates.
    const [a, b] = await Promise.all([startInstance('A', envFor(url, fake, TOKEN_A)), startInstance('B', envFor(url, fake, TOKEN_B))]);
    const ledger = await openLedger(url);
    const peers = [new McpPeer(a), new McpPeer(b), new McpPeer(a), new McpPeer(b)];
    const play = burstPlay(2, 4);
    const MISSIONS = 12;
    const tally: Tally = { accepted: new Map() };

    const started = Date.now();
    const missions = await Promise.all(
      Array.from({ length: MISSIONS }, async (_, k) => {
        const m = await driveToExecution(peers, `Burst mission ${k}: speed up the report refresh path`, `C0BURST${k % 3}`, play, k, ledger);
        tally.accepted.set(m.missionId, []);
        await reportAll(() => peers, m.missionId, play, tally, strictReport);
        return m;
      }),
    );
    const burstMs = Date.now() - started;

    await expectRecordedOnce(ledger, missions, tally, 8);
    const delivered = await eventually(
      () =>
        checkSlackShowsFinalState(
          ledger,
          fake,
          missions.map((m) => m.missionId),
        ),
      120_000,
      500,
    );
    // Both instances delivered: the leases spread the work.
    const byToken = (t: string) => fake.calls.filter((c) => c.method.startsWith('chat.') && c.token === t).length;
    expect(byToken(TOKEN_A) + byToken(TOKEN_B)).toBe(delivered.posts + delivered.updates);
    expect(a.alive() && b.alive()).toBe(true);
    expectNoTrouble([a, b]);
    process.stdout.write(
      `[system] burst: ${MISSIONS} missions, ${await ledger.eventCount()} events in ${burstMs} ms; Slack: ${delivered.posts} posts, ${delivered.updates} updates (A ${byToken(TOKEN_A)}, B ${byToken(TOKEN_B)})\n`,
    );
  });
});

/** What a call did, as the database shows it: used after a call died with its instance. */
type Done = (mission: Mission) => boolean;

function doneCheck(args: Record<string, unknown>): Done {
  const phase = (m: Mission) => m.execution?.phases.find((p) => p.phaseId === args.phaseId);
  switch (args.kind) {
    case 'phase_started':
      return (m) => (phase(m)?.status ?? 'pending') !== 'pending';
    case 'step_completed':
      return (m) => phase(m)?.steps.some((s) => s.stepId === args.stepId) ?? false;
    case 'test_run':
      return (m) => (phase(m)?.testRuns.length ?? 0) > 0;
    case 'phase_completed':
      return (m) => phase(m)?.status === 'completed';
    default:
      throw new Error(`no done check for ${String(args.kind)}`);
  }
}

/**
 * A client that survives an instance dying: a call that fails without an answer is looked up
 * in the database and, when its effect is not there, sent again through a live instance.
 * Refusals (tool errors) are never retried: they must not happen.
 */
async function resilientCall(
  ledger: Ledger,
  peers: () => McpPeer[],
  turn: number,
  tool: string,
  args: Record<string, unknown>,
  done: (ledger: Ledger) => Promise<boolean>,
): Promise<'ok' | 'ambiguous'> {
  const giveUpAt = Date.now() + 90_000;
  for (let attempt = 0; ; attempt++) {
    const live = peers();
    if (live.length === 0) {
      // The only instance is down (SQLite): wait for it to come back, as a client would.
      if (Date.now() > giveUpAt) throw new Error('no live instance for 90 s');
      await sleep(250);
      continue;
    }
    const peer = live[(turn + attempt) % live.length]!;
    try {
      await peer.ok(tool, args);
      return 'ok';
    } catch (error) {
      if (error instanceof ToolRefused || Date.now() > giveUpAt) throw error;
      peer.reset();
      if (await done(ledger)) return 'ambiguous';
      await sleep(250);
    }
  }
}

// On SQLite (the default, one process per database file) the only instance is killed and
// restarted; on PostgreSQL one of two instances is, and the other carries on meanwhile.
const KILL_PROVIDERS = process.env.TEST_DATABASE_URL ? (['sqlite', 'postgresql'] as const) : (['sqlite'] as const);
describe.each(KILL_PROVIDERS)('an instance killed mid-burst (%s)', (provider) => {
  it('SIGKILL while its chat.postMessage is unanswered, then restart: nothing accepted is lost, nothing is posted twice', { timeout: 300_000 }, async () => {
    const fake = new FakeSlack({ token: TOKEN_A, otherTokens: [TOKEN_B] });
    await fake.start();
    const url = freshInstanceDatabaseUrl(provider);
    const a = await startInstance('A', envFor(url, fake, TOKEN_A));
    const twoInstances = provider === 'postgresql';
    const b = twoInstances ? await startInstance('B', envFor(url, fake, TOKEN_B)) : a;
    const victimToken = twoInstances ? TOKEN_B : TOKEN_A;
    const ledger = await openLedger(url);
    const instances: Instance[] = twoInstances ? [a, b] : [a];
    const peers: McpPeer[] = [new McpPeer(a), new McpPeer(b), new McpPeer(a), new McpPeer(b)];
    const live = () => peers.filter((p) => p.instance.alive());
    const play = burstPlay(2, 4);
    const MISSIONS = 10;
    const tally: Tally = { accepted: new Map(), ambiguous: new Map() };

    const report: ReportFn = async (_peers, missionId, turn, args, stepId) => {
      const check = doneCheck(args);
      const outcome = await resilientCall(ledger, live, turn, 'report_progress', { missionId, ...args }, async (l) => check(await l.mission(missionId)));
      if (outcome === 'ambiguous' && stepId) tally.ambiguous!.get(missionId)!.push(stepId);
      return outcome === 'ok';
    };
    const drive = async (k: number) => {
      const intent = `Killed-burst mission ${k}: speed up the report refresh path`;
      const findMission = async (l: Ledger) => (await l.service.listMissions({ text: `Killed-burst mission ${k}:` })).missions[0];
      const stateOf = async (l: Ledger) => (await l.mission((await findMission(l))!.id)).state;
      await resilientCall(ledger, live, k, 'start_mission', { intent, channelId: `C0KILL${k % 3}` }, async (l) => (await findMission(l)) !== undefined);
      const missionId = (await findMission(ledger))!.id;
      tally.accepted.set(missionId, []);
      tally.ambiguous!.set(missionId, []);
      await resilientCall(ledger, live, k + 1, 'update_brief', { missionId, lock: true }, async (l) => (await stateOf(l)) !== 'defining');
      await resilientCall(
        ledger,
        live,
        k + 2,
        'select_toolkits',
        { missionId, toolkits: [{ toolkitId: 'github' }], coverage: [{ toolkitId: 'github', status: 'ready', summary: 'Repository inspected read-only' }] },
        async (l) => (await l.mission(missionId)).coverage.entries.length > 0,
      );
      // No connector inspects here: the requester accepts the assistant's report, then the assistant confirms.
      await ledger.service.acceptReportedCoverage({ missionId }, { kind: 'slack_user', id: REQUESTER });
      await resilientCall(ledger, live, k + 2, 'select_toolkits', { missionId }, async (l) => (await stateOf(l)) !== 'preparing');
      await resilientCall(ledger, live, k + 3, 'propose_plays', { missionId, plays: [play] }, async (l) =>
        (await l.mission(missionId)).plays.some((p) => p.source === 'assistant'),
      );
      const playId = (await ledger.mission(missionId)).plays.find((p) => p.source === 'assistant')!.id;
      await resilientCall(ledger, live, k + 4, 'request_approval', { missionId, playId }, async (l) => (await stateOf(l)) === 'executing');
      await reportAll(live, missionId, play, tally, report);
      return { missionId };
    };

    // Missions start staggered, so surfaces keep being posted through the whole burst.
    const burst = Promise.all(
      Array.from({ length: MISSIONS }, async (_, k) => {
        await sleep(k * 400);
        return drive(k);
      }),
    );
    const burstDone = burst.then(
      () => true,
      () => true,
    );

    // Mid-burst: the victim's next chat.postMessage is carried out by Slack, but it is killed before the answer arrives.
    await eventually(() => expect([...tally.accepted.values()].flat().length).toBeGreaterThanOrEqual(12), 120_000, 50);
    const hold = fake.hold((call) => call.method === 'chat.postMessage' && call.token === victimToken);
    const held = await Promise.race([hold.held, burstDone.then(() => null)]);
    expect(held, `${b.name} posted nothing while the burst ran`).not.toBeNull();
    await b.kill('SIGKILL');
    hold.release();
    const acceptedAtKill = new Map([...tally.accepted].map(([id, steps]) => [id, [...steps]]));

    // It comes back on its port a moment later, while the burst goes on (on SQLite, clients wait for it).
    await sleep(1500);
    const b2 = await startInstance(`${b.name} (restarted)`, envFor(url, fake, victimToken), b.port);
    instances.push(b2);
    peers.push(new McpPeer(b2), new McpPeer(b2));
    const missions = await burst;

    await expectRecordedOnce(ledger, missions, tally, 8);
    for (const [missionId, steps] of acceptedAtKill) {
      const recorded = (await ledger.service.events({ missionId }))
        .filter((e) => e.type === 'execution_step_completed')
        .map((e) => String((e.payload as { step?: unknown }).step));
      expect(recorded, `${missionId}: a step accepted before the kill is missing`).toEqual(expect.arrayContaining(steps));
    }
    // The killed instance's leases run out (30 s) and a live one finishes its deliveries, without posting anything twice.
    const delivered = await eventually(
      () =>
        checkSlackShowsFinalState(
          ledger,
          fake,
          missions.map((m) => m.missionId),
        ),
      150_000,
      500,
    );
    const survivors = twoInstances ? [a, b2] : [b2];
    expect(survivors.every((i) => i.alive())).toBe(true);
    expectNoTrouble(survivors);
    const ambiguous = [...tally.ambiguous!.values()].flat().length;
    process.stdout.write(
      `[system] kill (${provider}): held ${String(held!.args.channel)} post ${String(held!.response?.ts)}; ${missions.length} missions, ${ambiguous} ambiguous step report(s); Slack: ${delivered.posts} posts, ${delivered.updates} updates\n`,
    );
  });
});
