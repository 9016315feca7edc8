// `npm run bench` in smoke mode (BENCH_SMOKE=1: tiny seeded databases, a few calls each): every
// benchmark starts its servers (`mission-control start` as a process, the bare baselines), runs,
// prints its ratio lines and stops them, so a change that breaks a benchmark fails here rather
// than when the lead next measures. No timing is asserted: smoke sizes measure nothing. About a
// minute on an idle 2-core machine (ten `start` processes boot); the timeout allows a loaded one.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = mkdtempSync(path.join(tmpdir(), 'mc-bench-smoke-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function runAll(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bench', 'runAll.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        BENCH_SMOKE: '1',
        BENCH_NO_DOCS: '1',
        BENCH_QUIET: '1',
        BENCH_CACHE_DIR: cache,
        BENCH_PG_URL: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGTERM'), 580_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The output of one benchmark: from its `== Title` line to the next. */
function section(stdout: string, title: string): string {
  const start = stdout.indexOf(`== ${title}`);
  if (start < 0) return '';
  const next = stdout.indexOf('\n== ', start + 1);
  return stdout.slice(start, next < 0 ? undefined : next);
}

describe('npm run bench (BENCH_SMOKE=1)', () => {
  it('runs every benchmark to its ratio lines and leaves docs/benchmarks.md alone', { timeout: 600_000 }, async () => {
    const doc = readFileSync(path.join(root, 'docs', 'benchmarks.md'), 'utf8');
    const { code, stdout, stderr } = await runAll();
    expect(code, `npm run bench failed:\n${stdout}\n${stderr}`).toBe(0);

    expect(section(stdout, 'Slash command acknowledgement')).toMatch(/^ratio p99 ack, start \/ bare Bolt: [\d.]+x \(target ≤ 1.5x: (met|NOT met)\)$/m);
    expect(section(stdout, 'Slack update economy (real time)')).toMatch(
      /^target Slack calls per 100 reports, one report every \d+ ms: [\d.]+ calls per 100 reports \(target ≤ 15: (met|NOT met)\)$/m,
    );
    const mcp = section(stdout, 'MCP report_progress through start (SQLite)');
    expect(mcp).toMatch(/^ratio p50 start, 1 instance \(SQLite\) \/ bare: [\d.]+x \(target ≤ 2x/m);
    expect(mcp).toMatch(/^ratio p99 start, 1 instance \(SQLite\) \/ bare: [\d.]+x \(target ≤ 3x/m);
    expect(mcp).toMatch(/^report kinds sent: .*step_completed.*test_run/m);
    const pg2 = section(stdout, 'MCP report_progress through start (PostgreSQL, one vs two instances)');
    if (!pg2.includes('skipped, PostgreSQL')) {
      expect(pg2).toMatch(/^ratio server CPU per report, 2 instances \/ 1 instance: [\d.]+x$/m);
      expect(pg2).toMatch(/^ratio bare CPU per call, 2 servers \/ 1 server .*: [\d.]+x$/m);
      expect(pg2).toMatch(/^ratio coordination: CPU per report 2 \/ 1 instances, over the bare 2 \/ 1 servers: [\d.]+x \(target ≤ 1.15x/m);
      expect(pg2).toMatch(/^ratio p50 start, 2 instances \(PostgreSQL\) \/ bare pair: [\d.]+x \(target ≤ 3x/m);
      expect(pg2).toMatch(/^ratio p50 start, 1 instance \(PostgreSQL\) \/ bare: [\d.]+x \(target ≤ 3x/m);
    }
    const growth = section(stdout, 'Growth: history and database size');
    for (const operation of ['report', 'get_mission', 'events'])
      expect(growth).toMatch(new RegExp(`^ratio ${operation} p50, mission with \\d+ events / fresh mission: [\\d.]+x`, 'm'));
    for (const operation of ['list_missions \\{state\\}', 'list_missions \\{text\\}', 'search_library', '/metrics scrape', 'idle CPU']) {
      expect(growth).toMatch(new RegExp(`^ratio ${operation}.*\\d+ / \\d+ missions: [\\d.]+x \\(target ≤ 1.5x`, 'm'));
    }
    expect(section(stdout, 'Event log appends (service vs raw insert)')).toMatch(/^ratio appends per second, service \/ raw insert: [\d.]+x$/m);
    expect(section(stdout, '/mission to brief card: model drafter vs built-in')).toMatch(/^ratio first card, model drafter \/ built-in: [\d.]+x$/m);

    expect(stdout).toContain('docs/benchmarks.md left as it was');
    expect(readFileSync(path.join(root, 'docs', 'benchmarks.md'), 'utf8')).toBe(doc);
  });
});
