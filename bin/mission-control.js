#!/usr/bin/env node
// Runs the compiled CLI. `npm install` builds dist/ (postinstall); say so if it is missing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('mission-control: dist/ is missing. Run `npm install` (it generates the Prisma clients and builds) or `npm run build`.\n');
  process.exit(1);
}
await import(cli.href);
