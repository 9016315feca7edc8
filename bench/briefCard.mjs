#!/usr/bin/env node
// Benchmark: `/mission <intent>` to the full brief card in Slack, with a model drafting the brief
// (MODEL_PROVIDER=anthropic against a local fake of the Messages API that answers after a
// realistic delay, BENCH_MODEL_LATENCY_MS, default 1500 ms) against the built-in drafter, both
// `mission-control start` processes started in this run on a seeded database (BENCH_MISSIONS,
// default 10,000), with the delivery worker and a local fake Slack Web API. Commands alternate between the two servers. For each command it times the
// acknowledgement, the first brief card (the model server shows the built-in draft marked
// "drafting" at once) and the full card (the model's chips, or the built-in ones).
//
// Run with `npm run bench:brief` (builds first). Env: BENCH_COMMANDS (per server, default 12),
// BENCH_MODEL_LATENCY_MS (default 1500), BENCH_MISSIONS, BENCH_SMOKE=1.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { FakeSlack } from '../scripts/demo/fakeSlack.mjs';
import { slackRequests } from '../scripts/demo/slackRequests.mjs';
import { loadLine, setting, SMOKE, writeResult } from './support/measure.mjs';
import { SIGNING_SECRET, startMissionControl } from './support/processes.mjs';
import { seededDatabase } from './support/seedDatabase.mjs';

const COMMANDS = setting('BENCH_COMMANDS', 12, 2);
const LATENCY_MS = setting('BENCH_MODEL_LATENCY_MS', 1500, 200);
const MISSIONS = setting('BENCH_MISSIONS', 10_000, 3);
const INTENTS = [
  'Add rate limiting to the public REST API: 100 requests per minute per API key',
  'The nightly CSV export times out for customers with more than 50k orders',
  'Fix the flaky login test',
  'Move the image uploads from local disk to S3 without losing existing files',
];

/** A fake of Anthropic's Messages API: a valid structured brief after LATENCY_MS, with usage. */
async function startFakeModel() {
  let seq = 0;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const prompt = body.messages.map((m) => (typeof m.content === 'string' ? m.content : m.content.map((c) => c.text ?? '').join(''))).join('\n');
    const intent = (/<intent>\n([\s\S]*?)\n<\/intent>/.exec(prompt)?.[1] ?? 'the change').trim();
    const brief = {
      chips: [
        { kind: 'objective', items: ['Ship the requested change safely'], confidence: 'high', sourceSentence: intent, inferredItems: [] },
        { kind: 'scope', items: ['Change the code the request names', 'Cover it with tests'], confidence: 'medium', sourceSentence: intent, inferredItems: [] },
        { kind: 'acceptance_criteria', items: ['Tests covering the change pass in CI'], confidence: 'medium', sourceSentence: '', inferredItems: [] },
        { kind: 'safeguards', items: ['Code review before merge'], confidence: 'medium', sourceSentence: '', inferredItems: ['Code review before merge'] },
      ],
      tags: ['bench'],
      domain: 'software_engineering',
      technicalContext: 'feature',
    };
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
    seq += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_bench_${seq}` });
    res.end(
      JSON.stringify({
        id: `msg_bench_${seq}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text: JSON.stringify(brief) }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 900, output_tokens: 350, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      }),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `mission-control start` on a seeded database, its Slack app pointed at `fake`. */
async function startServer(fake, extraEnv) {
  const db = await seededDatabase({ missions: MISSIONS });
  const server = await startMissionControl({ label: 'mission-control', databaseUrl: db.url, slack: fake, env: extraEnv });
  return {
    url: server.slackUrl,
    close: async () => {
      await server.stop();
      await db.cleanup();
    },
  };
}

/** Brief cards already seen on a fake Slack, by ts: commands run one at a time, so the next new one is this command's. */
const seenCards = new WeakMap();
function newCard(fake) {
  const seen = seenCards.get(fake) ?? new Set();
  seenCards.set(fake, seen);
  const card = [...fake.messages.values()].find((m) => String(m.text ?? '').startsWith('Mission brief') && !seen.has(m.ts));
  if (card) seen.add(card.ts);
  return card;
}

async function waitFor(predicate, what) {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const value = predicate();
    if (value) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One `/mission`: ack, first card, full card (ms from sending). */
async function command(target, fake, intent, model) {
  const slack = slackRequests({ eventsUrl: target.url, signingSecret: SIGNING_SECRET, fake });
  const { body, headers } = slack.sign(slack.commandBody(intent, { id: 'U0BENCH001', name: 'bench' }, 'C0BENCH'));
  const start = performance.now();
  const response = await fetch(target.url, { method: 'POST', body, headers });
  const ack = performance.now() - start;
  if (response.status !== 200) throw new Error(`ack answered ${response.status}`);
  let card;
  const first = (await waitFor(() => (card = newCard(fake)), 'the first brief card')) - start;
  const full = model
    ? (await waitFor(() => JSON.stringify(fake.messages.get(card.ts)?.blocks ?? []).includes('Drafted by'), 'the model-drafted card')) - start
    : first;
  return { ack, first, full };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const model = await startFakeModel();
  const loadBefore = loadLine('before');
  const fakeBuiltIn = new FakeSlack({ knowsEarlierMessages: true });
  const fakeModel = new FakeSlack({ knowsEarlierMessages: true });
  await fakeBuiltIn.start();
  await fakeModel.start();
  const builtIn = await startServer(fakeBuiltIn, {});
  const withModel = await startServer(fakeModel, {
    MODEL_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ANTHROPIC_BASE_URL: model.url,
    MODEL_DRAFT: 'claude-haiku-4-5',
  });
  try {
    const samples = { builtIn: [], model: [] };
    for (let i = 0; i < COMMANDS; i++) {
      const intent = `${INTENTS[i % INTENTS.length]} (bench ${i})`;
      const order = i % 2 === 0 ? ['builtIn', 'model'] : ['model', 'builtIn'];
      for (const which of order) {
        samples[which].push(
          which === 'model' ? await command(withModel, fakeModel, `${intent} m`, true) : await command(builtIn, fakeBuiltIn, `${intent} b`, false),
        );
      }
    }
    const stats = (xs) => ({ ack: median(xs.map((x) => x.ack)), first: median(xs.map((x) => x.first)), full: median(xs.map((x) => x.full)), n: xs.length });
    const b = stats(samples.builtIn);
    const m = stats(samples.model);
    console.log(`/mission to brief card: ${COMMANDS} commands per server, alternating; the fake model answers after ${LATENCY_MS} ms`);
    console.log(`${'drafter'.padEnd(34)}${'ack ms'.padStart(9)}${'first card ms'.padStart(15)}${'full card ms'.padStart(14)}`);
    const row = (label, r) =>
      console.log(`${label.padEnd(34)}${r.ack.toFixed(1).padStart(9)}${r.first.toFixed(1).padStart(15)}${r.full.toFixed(1).padStart(14)}`);
    row('built-in drafter', b);
    row(`model drafter (${LATENCY_MS} ms model)`, m);
    console.log(`model full card minus the model's own latency: ${(m.full - LATENCY_MS).toFixed(1)} ms (built-in full card: ${b.full.toFixed(1)} ms)`);
    console.log(`ratio first card, model drafter / built-in: ${(m.first / b.first).toFixed(2)}x`);
    const loadAfter = loadLine('after');
    writeResult({
      benchmark: 'brief',
      commands: COMMANDS,
      modelLatencyMs: LATENCY_MS,
      builtIn: b,
      model: m,
      checks: [],
      load: { before: loadBefore, after: loadAfter },
      smoke: SMOKE,
    });
  } finally {
    await withModel.close();
    await builtIn.close();
    await fakeModel.stop();
    await fakeBuiltIn.stop();
    await model.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
