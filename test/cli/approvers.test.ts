// `mission-control approvers` as an admin runs it, against a real database: the policy it
// stores is what every process on that database applies; refusals say what is wrong and
// write nothing.
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runApproversCommand } from '../../src/approverCommands.js';
import { loadConfig } from '../../src/config.js';
import { UsageError } from '../../src/mcp/tokenCommands.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { PrismaApprovalPolicyStore } from '../../src/storage/prismaApprovalPolicyStore.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { cleanEnv } from '../support/processes.js';

const SEC_LEADS = 'S0SECLEADS';
const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mission-control.js');

describe.each(PROVIDERS)('mission-control approvers on %s', (provider) => {
  let url: string;
  let cleanup: () => Promise<void>;
  let db: Database | null = null;

  beforeEach(() => {
    ({ url, cleanup } = freshDatabaseUrl(provider));
  });
  afterEach(async () => {
    await db?.close();
    db = null;
    await cleanup();
  });

  function run(args: string[], env: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, [bin, 'approvers', ...args], {
      env: cleanEnv({ DATABASE_URL: url, ...env }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** The same, without blocking: the refusals run side by side. */
  function runAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [bin, 'approvers', ...args],
        { env: cleanEnv({ DATABASE_URL: url }), encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  async function stored() {
    db ??= await openDatabase(url);
    return new PrismaApprovalPolicyStore(db.prisma).get('default');
  }

  it('lists the environment seed, then adds people and a user group per risk, sets counts and expiry, and removes', async () => {
    const seedEnv = { SLACK_APPROVERS: 'U0ENVAPPR', APPROVALS_REQUIRED: 'low:0' };
    const first = run(['list'], seedEnv);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('not stored yet');
    expect(first.stdout).toMatch(/low {6}0 approvals approved as soon as requested/);
    expect(first.stdout).toMatch(/critical 2 approvals from U0ENVAPPR/);
    expect(await stored()).toBeNull();

    const added = run(['add', '--risk', 'high,critical', 'U0ADVISOR', 'S0SECLEADS'], seedEnv);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/high {5}1 approval {2}from U0ENVAPPR, U0ADVISOR, members of user group S0SECLEADS/);
    expect(run(['add', '--risk', 'critical', '--required', '3', '--at-least', '1', SEC_LEADS]).code).toBe(0);
    expect(run(['remove', '--risk', 'all', 'U0ENVAPPR']).code).toBe(0);
    expect(run(['expiry', '90']).code).toBe(0);

    // Stored, so the environment no longer matters: a process with other variables lists the same policy.
    const listed = run(['list'], { SLACK_APPROVERS: 'U0SOMEONEELSE' });
    expect(listed.stdout).toContain('stored in the database, version 4');
    expect(listed.stdout).toContain('Requests expire after 90 minutes.');
    expect(listed.stdout).toMatch(/critical 3 approvals from U0ADVISOR, members of user group S0SECLEADS \(at least 1 from S0SECLEADS\)/);
    expect(listed.stdout).toMatch(/medium {3}1 approval {2}nobody named yet: requests wait until someone is added/);
    expect((await stored())!.policy.byRisk).toEqual({
      low: { required: 0, people: [], groups: [] },
      medium: { required: 1, people: [], groups: [] },
      high: { required: 1, people: ['U0ADVISOR'], groups: ['S0SECLEADS'] },
      critical: { required: 3, people: ['U0ADVISOR'], groups: ['S0SECLEADS'], quota: { groupId: 'S0SECLEADS', count: 1 } },
    });
  }, 120_000);

  it('stores self-approval per risk level: denied at high and critical until allowed, and refused without allow or deny', async () => {
    expect(run(['add', '--risk', 'all', 'U0ADVISOR']).code).toBe(0);
    expect((await stored())!.policy.requesterExcludedAt).toEqual(['high', 'critical']);
    const allowed = run(['self-approval', '--risk', 'high', 'allow']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('Whoever asked never approves their own critical risk work. Self-approval allowed at low, medium, high.');
    expect((await stored())!.policy.requesterExcludedAt).toEqual(['critical']);
    expect(run(['self-approval', '--risk', 'low,medium', 'deny']).code).toBe(0);
    expect((await stored())!.policy.requesterExcludedAt).toEqual(['low', 'medium', 'critical']);
    const version = (await stored())!.version;
    const refused = run(['self-approval', '--risk', 'high', 'maybe']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Say allow or deny');
    expect((await stored())!.version).toBe(version);
  }, 120_000);

  it('refuses bad input with a clear error and the usage, and writes nothing', async () => {
    expect(run(['add', '--risk', 'high', 'U0ADVISOR']).code).toBe(0);
    const before = await stored();
    // As a shell sees it: exit code 2, the reason and the usage on stderr, nothing on stdout.
    const [early, late] = await Promise.all([runAsync(['add', '--risk', 'urgent', 'U0ADVISOR']), runAsync(['remove', '--risk', 'low', 'U0ADVISOR'])]);
    for (const [result, message] of [
      [early, '--risk: "urgent" is not a risk level; use low, medium, high, critical or all.'],
      [late, 'U0ADVISOR is not an approver at low risk; nothing was changed.'],
    ] as const) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('mission-control approvers add --risk RISK');
      expect(result.stdout).toBe('');
    }
    // Every other refusal through the same command, in this process.
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' });
    const cases: Array<[string[], string]> = [
      [['add', 'U0ADVISOR'], '--risk is required'],
      [['add', '--risk', 'high', '@jordan'], '"@jordan" is not a Slack user id (U… or W…) or user group id (S…)'],
      [['add', '--risk', 'high', '--required', '12', 'U0X1'], '--required: "12" is not a count of approvals from 0 to 9.'],
      [['add', '--risk', 'high'], 'Name at least one approver'],
      [['add', '--risk', 'high', '--approvers', 'U0X1'], "Unknown option '--approvers'"],
      [['remove', '--risk', 'high', '--required', '2', 'U0ADVISOR'], '--required and --at-least go with `approvers add`'],
      [['remove', '--risk', 'high', 'S0NOTTHERE'], 'S0NOTTHERE is not an approver at high risk; nothing was changed.'],
      [['list', '--all'], 'Unknown argument "--all"'],
      [['grant'], 'Unknown approvers command "grant"'],
      [['expiry', '0'], 'minutes: 0 is not a whole number of minutes from 1 to 43200 (30 days).'],
      [['expiry', 'soon'], 'Give the minutes a request stays open'],
      [['add', '--risk', 'high', '--at-least', '1', 'U0X1'], '--at-least needs exactly one user group id (S…) among the approvers named; 0 given.'],
      [
        ['add', '--risk', 'high', '--required', '1', '--at-least', '2', 'S0SECLEADS'],
        'quota: at least 2 from S0SECLEADS does not fit high risk, which needs 1 approval',
      ],
      [['remove', '--risk', 'high', '--at-least', '1', 'U0ADVISOR'], '--required and --at-least go with `approvers add`'],
    ];
    for (const [args, message] of cases) {
      const out = new PassThrough();
      let written = '';
      out.on('data', (chunk: Buffer) => (written += chunk.toString()));
      const error = await runApproversCommand(args, config, out).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, args.join(' ')).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain(message);
      expect(written).toBe('');
    }
    expect(await stored()).toEqual(before);
  }, 120_000);
});
