// The dependency rule from docs/ARCHITECTURE.md: the domain imports no front door,
// connector, storage or vendor SDK.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const root = path.resolve(import.meta.dirname, '..');
const FORBIDDEN = [/^\.\.\/(slack|mcp|connectors|storage)\//, /^@prisma\//, /^prisma/, /^@slack\//, /^@modelcontextprotocol\//, /^@octokit\//, /^@linear\//, /generated\//, /^pino/, /^node:http/];

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

describe('architecture', () => {
  const domainDir = path.join(root, 'src', 'domain');
  const files = readdirSync(domainDir).filter((f) => f.endsWith('.ts'));

  it('finds the domain sources', () => {
    expect(files).toContain('missionStateMachine.ts');
    expect(files).toContain('telemetryEvents.ts');
  });

  it.each(files)('src/domain/%s imports nothing from the outer layers', (file) => {
    const offending = importsOf(path.join(domainDir, file)).filter((spec) => FORBIDDEN.some((rule) => rule.test(spec)));
    expect(offending).toEqual([]);
  });

  it('keeps the PostgreSQL schema in step with the SQLite one', () => {
    const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'prisma.mjs'), 'check-sync'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
