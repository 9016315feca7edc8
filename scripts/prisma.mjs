#!/usr/bin/env node
// Runs the Prisma CLI offline for both providers.
// Prisma 6.19 with engine "js" needs no engine binaries, but still looks for them
// unless these variables name an existing file; pointing them at node itself stops
// any download attempt (this machine's network cannot reach Prisma's binary host).
//
//   node scripts/prisma.mjs generate          generate both clients
//   node scripts/prisma.mjs sync              rewrite prisma/postgresql/schema.prisma from the SQLite schema
//   node scripts/prisma.mjs diff <provider>   print the SQL for a new migration (models vs. committed migrations)
//   node scripts/prisma.mjs <provider> ...    any prisma command against one provider's config
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prismaBin = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
const providers = ['sqlite', 'postgresql'];

const env = {
  ...process.env,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
  CHECKPOINT_DISABLE: '1',
};

function prisma(provider, args) {
  const config = path.join(root, 'prisma', provider, 'prisma.config.ts');
  const result = spawnSync(process.execPath, [prismaBin, ...args, '--config', config], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function writeTemp(text) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mc-schema-')), 'schema.prisma');
  writeFileSync(file, text);
  return file;
}

export function postgresSchemaFromSqlite(sqliteSchema) {
  return sqliteSchema
    .replace(
      /^\/\/ Mission Control storage\.[^\n]*\n\/\/[^\n]*\n/,
      '// Generated from prisma/sqlite/schema.prisma by `npm run prisma -- sync`; edit that file instead.\n',
    )
    .replace('../../generated/prisma-sqlite', '../../generated/prisma-postgresql')
    .replace('provider = "sqlite"', 'provider = "postgresql"');
}

const [command, ...rest] = process.argv.slice(2);
const sqliteSchemaPath = path.join(root, 'prisma', 'sqlite', 'schema.prisma');
const postgresSchemaPath = path.join(root, 'prisma', 'postgresql', 'schema.prisma');

if (command === 'generate') {
  for (const provider of providers) prisma(provider, ['generate', '--no-hints']);
} else if (command === 'sync') {
  writeFileSync(postgresSchemaPath, postgresSchemaFromSqlite(readFileSync(sqliteSchemaPath, 'utf8')));
} else if (command === 'check-sync') {
  const expected = postgresSchemaFromSqlite(readFileSync(sqliteSchemaPath, 'utf8'));
  if (readFileSync(postgresSchemaPath, 'utf8') !== expected) {
    console.error('prisma/postgresql/schema.prisma is out of date: run `npm run prisma -- sync`');
    process.exit(1);
  }
} else if (command === 'diff' && providers.includes(rest[0])) {
  // Diff the working schema against the last committed one. `--from-migrations` would
  // need a live shadow database, and Prisma's JS schema engine cannot introspect
  // PostgreSQL through @prisma/adapter-pg (prisma/prisma#27403).
  const relative = `prisma/${rest[0]}/schema.prisma`;
  const committed = spawnSync('git', ['show', `HEAD:${relative}`], { cwd: root, encoding: 'utf8' });
  // The CLI opens the adapter even for a pure diff; give SQLite a scratch file.
  if (rest[0] === 'sqlite') env.DATABASE_URL = `file:${path.join(mkdtempSync(path.join(tmpdir(), 'mc-diff-')), 'diff.db')}`;
  const from = committed.status === 0 ? ['--from-schema-datamodel', writeTemp(committed.stdout)] : ['--from-empty'];
  prisma(rest[0], ['migrate', 'diff', ...from, '--to-schema-datamodel', path.join(root, relative), '--script']);
} else if (providers.includes(command)) {
  prisma(command, rest);
} else {
  console.error('usage: node scripts/prisma.mjs generate | sync | check-sync | diff <sqlite|postgresql> | <sqlite|postgresql> <prisma args>');
  process.exit(2);
}
