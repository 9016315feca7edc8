// `mission-control feed retry` as an operator runs it, against a database holding a mission
// whose Slack delivery was parked (the bot was not in the channel).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { freshDatabaseUrl, PROVIDERS, type Provider } from '../support/databases.js';
import { cleanEnv } from '../support/processes.js';
import { seedService } from '../support/seedJourney.js';
import { JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mission-control.js');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database with two missions whose Slack deliveries the feed worker parked as dead. */
async function withParkedMissions(provider: Provider) {
  const database = freshDatabaseUrl(provider);
  const db = await openDatabase(database.url);
  cleanups.push(async () => {
    await db.close();
    await database.cleanup();
  });
  const clock = new TestClock();
  const service = seedService(db.missions, clock);
  const missions = [];
  for (const channelId of ['C0PRIVATE', 'C0OTHER']) missions.push(await service.startMission({ intent: 'Fix the flaky login test', channelId }, JORDAN));
  for (const claim of await db.feed.claim('slack', 'worker-test', 10, 30_000, clock.now())) {
    await db.feed.fail('slack', claim.missionId, 'worker-test', 'chat.postMessage: Slack answered not_in_channel', null);
  }
  return { url: database.url, db, missions };
}

const run = (url: string, ...args: string[]) => spawnSync(process.execPath, [bin, 'feed', ...args], { env: cleanEnv({ DATABASE_URL: url }), encoding: 'utf8' });

describe.each(PROVIDERS)('mission-control feed retry (%s)', (provider) => {
  it('re-drives one mission’s parked delivery with --mission, then all of them, saying what was parked and why', async () => {
    const { url, db, missions } = await withParkedMissions(provider);
    expect(await db.feed.parked('slack')).toHaveLength(2);

    const one = run(url, 'retry', '--mission', missions[0]!.id);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    expect(one.stdout).toContain(`slack\t${missions[0]!.id}\twas parked: chat.postMessage: Slack answered not_in_channel`);
    expect(one.stdout).toContain('Re-driving 1 parked delivery');
    expect((await db.feed.parked('slack')).map((p) => p.missionId)).toEqual([missions[1]!.id]);
    // Re-driven means claimable again, its failures forgotten.
    const [claim] = await db.feed.claim('slack', 'worker-2', 10, 30_000, new Date());
    expect(claim).toMatchObject({ missionId: missions[0]!.id, attempts: 0 });

    const all = run(url, 'retry');
    expect(all.status).toBe(0);
    expect(all.stdout).toContain(missions[1]!.id);
    expect(await db.feed.parked('slack')).toEqual([]);
    expect(run(url, 'retry').stdout).toContain('Nothing is parked.');
  });

  it('refuses an unknown option, a stray argument, an empty or unknown mission id with a clear error, and re-drives nothing', async () => {
    const { url, db, missions } = await withParkedMissions(provider);
    const cases: Array<[string[], RegExp]> = [
      [['retry', '--mision', missions[0]!.id], /Unknown option '--mision'/],
      [['retry', 'everything'], /Unexpected argument 'everything'/],
      [['retry', '--mission', ''], /--mission needs a mission id/],
      [['retry', '--mission', 'msn_nope'], /No mission with id "msn_nope"/],
      [['retyr'], /Unknown feed command "retyr"/],
    ];
    for (const [args, message] of cases) {
      const result = run(url, ...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('mission-control feed retry [--mission ID]');
    }
    expect(await db.feed.parked('slack')).toHaveLength(2);
  });
});
