// Work after a slash command's ack waits until the Slack requests in hand are answered, so a
// burst's acknowledgements come first, and never waits past its bound, so a steady stream of
// requests cannot hold a command back (and no accepted command is dropped).
import { describe, expect, it } from 'vitest';
import { AFTER_ACK_MAX_WAIT_MS, AfterAckQueue } from '../../src/slack/commandHandlers.js';
import { SlackRequestIntake } from '../../src/slack/requestIntake.js';

const turns = (n: number) => new Promise<void>((resolve) => setTimeout(resolve, n));

describe('work after an ack', () => {
  it('starts once every request in hand is answered, in the order the commands came', async () => {
    const intake = new SlackRequestIntake();
    const queue = new AfterAckQueue(intake);
    const ran: string[] = [];
    const first = intake.received();
    const second = intake.received();
    const done = [queue.run(async () => void ran.push('a')), queue.run(async () => void ran.push('b'))];
    await turns(10);
    expect(ran).toEqual([]);
    first.answered();
    first.answered(); // a response's close is counted once
    await turns(10);
    expect(ran).toEqual([]);
    second.answered();
    await Promise.all(done);
    expect(ran).toEqual(['a', 'b']);
  });

  it('starts anyway once it has waited its bound while requests keep arriving', async () => {
    const intake = new SlackRequestIntake();
    const queue = new AfterAckQueue(intake);
    intake.received(); // never answered
    const started = Date.now();
    let ran = false;
    await queue.run(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(AFTER_ACK_MAX_WAIT_MS - 5);
  });

  it('starts at once with nothing in hand, and a failing command does not hold up the next', async () => {
    const queue = new AfterAckQueue(new SlackRequestIntake());
    await expect(queue.run(async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    let ran = false;
    await queue.run(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
