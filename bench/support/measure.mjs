// What every benchmark shares: sizes that shrink in smoke mode, percentiles, ratios, target
// lines, the machine's load, and the result file bench/runAll.mjs turns into docs/benchmarks.md.
import { writeFileSync } from 'node:fs';
import os from 'node:os';

/** BENCH_SMOKE=1: tiny sizes, a few seconds per benchmark, to check that it runs (CI), not to measure. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** A numeric setting: the env variable, else the smoke or the full default. */
export function setting(name, full, smoke = full) {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
    return value;
  }
  return SMOKE ? smoke : full;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const stats = (values) => ({ p50: percentile(values, 50), p99: percentile(values, 99), n: values.length });
export const fixed = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(digits));

/** One ratio line: `ratio <label>: 1.23x (target ≤ 2x: met)`; returns { label, ratio, target, met }. */
export function ratioLine(label, value, target = null) {
  const met = target === null ? null : value <= target;
  console.log(`ratio ${label}: ${fixed(value)}x${target === null ? '' : ` (target ≤ ${target}x: ${met ? 'met' : 'NOT met'})`}`);
  return { label, ratio: value, target, met };
}

/** A target on a count rather than a ratio (e.g. Slack calls per 100 reports). */
export function targetLine(label, value, target, unit) {
  const met = value <= target;
  console.log(`target ${label}: ${fixed(value, 1)} ${unit} (target ≤ ${target}: ${met ? 'met' : 'NOT met'})`);
  return { label, value, target, met, unit };
}

/** The machine's load, to print with the figures: other work on a shared machine shows here. */
export function load() {
  const [one, five] = os.loadavg();
  return { one, five, cpus: os.cpus().length };
}

export function loadLine(when) {
  const l = load();
  console.log(`load ${when}: ${fixed(l.one)} (1 min), ${fixed(l.five)} (5 min) on ${l.cpus} CPUs`);
  return l;
}

/** For `npm run bench` (bench/runAll.mjs), which writes docs/benchmarks.md. */
export function writeResult(data) {
  if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(data));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
