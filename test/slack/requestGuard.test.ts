// The replay guard's memory on a test clock: what it remembers, for how long, and what it never
// remembers. (slackFailures.test.ts shows the same rules through the running server.)
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REQUEST_WINDOW_MS, SlackRequestGuard } from '../../src/slack/requestGuard.js';
import { PrismaSlackRequestReceipts } from '../../src/storage/prismaSlackRequestReceipts.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';

let db: TestDatabase | null = null;
afterEach(async () => {
  await db?.destroy();
  db = null;
});

const SECRET = 'guard-test-secret';
const T0 = 1_800_000_000_000;
const sign = (timestamp: number, body: string, secret = SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
const request = (timestamp: number, body: string, signature = sign(timestamp, body), extra: Record<string, string> = {}) => ({
  headers: { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature, ...extra },
  body,
  contentType: body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
});

describe('SlackRequestGuard', () => {
  it('refuses a repeat of a validly signed request for as long as its timestamp is in the window', async () => {
    let now = T0;
    const guard = new SlackRequestGuard(SECRET, () => now);
    const ts = T0 / 1000;
    expect(await guard.check(request(ts, 'command=%2Fmission&text=hi'))).toBeNull();
    expect(await guard.check(request(ts, 'command=%2Fmission&text=hi'))).toMatchObject({ status: 409 });
    // The same body signed at another second is another request (Slack signs each send).
    expect(await guard.check(request(ts + 1, 'command=%2Fmission&text=hi'))).toBeNull();
    // Still refused at the window's edge, where Bolt (comparing whole seconds) would still accept it.
    now = T0 + REQUEST_WINDOW_MS + 999;
    expect(await guard.check(request(ts, 'command=%2Fmission&text=hi'))).toMatchObject({ status: 409 });
    // A minute past the window it is forgotten: Bolt refuses it as stale long before.
    now = T0 + REQUEST_WINDOW_MS + 60_001;
    expect(await guard.check(request(ts, 'command=%2Fmission&text=hi'))).toBeNull();
  });

  it('never remembers a badly signed request, so it cannot block the genuine one', async () => {
    const guard = new SlackRequestGuard(SECRET, () => T0);
    const ts = T0 / 1000;
    const forged = request(ts, 'text=hi', sign(ts, 'text=hi', 'wrong-secret'));
    expect(await guard.check(forged)).toBeNull(); // left to Bolt, which answers 401
    expect(await guard.check(forged)).toBeNull();
    expect(await guard.check(request(ts, 'text=hi'))).toBeNull();
  });

  it('refuses a timestamp more than 5 minutes ahead, signed or not; up to 5 minutes ahead passes', async () => {
    const guard = new SlackRequestGuard(SECRET, () => T0);
    const ahead = T0 / 1000 + 5 * 60 + 1;
    expect(await guard.check(request(ahead, 'text=hi'))).toMatchObject({ status: 401, reason: expect.stringContaining('in the future') });
    expect(await guard.check(request(ahead, 'text=hi', 'v0=00'))).toMatchObject({ status: 401 });
    expect(await guard.check(request(T0 / 1000 + 5 * 60, 'text=hi'))).toBeNull();
  });

  it('acknowledges a redelivered event (same event_id, fresh signature) without handing it on', async () => {
    const guard = new SlackRequestGuard(SECRET, () => T0);
    const body = JSON.stringify({ type: 'event_callback', event_id: 'Ev01', event: { type: 'member_joined_channel' } });
    expect(await guard.check(request(T0 / 1000, body))).toBeNull();
    expect(await guard.check(request(T0 / 1000 + 60, body, undefined, { 'x-slack-retry-num': '1' }))).toMatchObject({
      status: 200,
      reason: expect.stringContaining('retry 1'),
    });
  });
});

describe.each(PROVIDERS)('SlackRequestGuard across instances (%s)', (provider) => {
  it('refuses on one instance a request or event another instance handled, until it expires; a database failure leaves this process’s memory in charge', async () => {
    db = await openTestDatabase(provider);
    let now = T0;
    const receipts = new PrismaSlackRequestReceipts(db.prisma);
    const first = new SlackRequestGuard(SECRET, () => now, receipts);
    const second = new SlackRequestGuard(SECRET, () => now, receipts);
    const ts = T0 / 1000;
    expect(await first.check(request(ts, 'command=%2Fmission&text=hi'))).toBeNull();
    expect(await second.check(request(ts, 'command=%2Fmission&text=hi'))).toMatchObject({ status: 409 });
    const event = JSON.stringify({ type: 'event_callback', event_id: 'Ev0SHARED', event: { type: 'app_home_opened' } });
    expect(await second.check(request(ts, event))).toBeNull();
    expect(await first.check(request(ts + 2, event, undefined, { 'x-slack-retry-num': '1' }))).toMatchObject({ status: 200 });
    expect(await db.prisma.slackRequestReceipt.count()).toBe(4); // three signed requests and one event id

    // Once expired, the row is taken over by the next sighting (Bolt would refuse the stale request first anyway).
    now = T0 + REQUEST_WINDOW_MS + 60_001;
    const third = new SlackRequestGuard(SECRET, () => now, receipts);
    expect(await third.check(request(ts, 'command=%2Fmission&text=hi'))).toBeNull();

    const errors: unknown[] = [];
    const broken = new SlackRequestGuard(
      SECRET,
      () => T0,
      { firstSighting: () => Promise.reject(new Error('database down')) },
      (e) => errors.push(e),
    );
    expect(await broken.check(request(ts, 'text=again'))).toBeNull();
    expect(await broken.check(request(ts, 'text=again'))).toMatchObject({ status: 409 });
    expect(errors).toHaveLength(1);
  });
});
