// `mission-control feed retry [--mission ID]`: re-drives deliveries the feed worker parked as
// dead (Slack threads, tracker issues) once their cause is fixed. A running server picks them up
// at its next poll; nothing needs restarting.
import { parseArgs } from 'node:util';
import type { Config } from './config.js';
import { FEED_CONSUMERS } from './domain/missionFeed.js';
import { UsageError } from './mcp/tokenCommands.js';
import { openDatabase } from './storage/database.js';

export const FEED_USAGE = `Usage:
  mission-control feed retry [--mission ID]   re-drive parked deliveries (all, or one mission's)`;

export async function runFeedCommand(args: readonly string[], config: Config, out: NodeJS.WritableStream): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'retry') throw new UsageError(sub ? `Unknown feed command "${sub}".` : 'Say what to do with the feed: `feed retry`.');
  let missionId: string | undefined;
  try {
    ({
      values: { mission: missionId },
    } = parseArgs({ args: [...rest], options: { mission: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (missionId !== undefined && missionId.trim() === '') throw new UsageError('--mission needs a mission id, e.g. --mission msn_0001.');
  const db = await openDatabase(config.DATABASE_URL);
  try {
    if (missionId !== undefined && !(await db.prisma.mission.findUnique({ where: { id: missionId }, select: { id: true } }))) {
      throw new UsageError(`No mission with id "${missionId}". \`/mission list\` in Slack, or list_missions over MCP, shows the ids.`);
    }
    const filter = missionId !== undefined ? { missionId } : {};
    let total = 0;
    for (const consumer of FEED_CONSUMERS) {
      const parked = await db.feed.parked(consumer, filter);
      if (parked.length === 0) continue;
      total += await db.feed.revive(consumer, filter);
      for (const p of parked) out.write(`${consumer}\t${p.missionId}\twas parked: ${p.lastError ?? 'no error recorded'}\n`);
    }
    out.write(
      total > 0
        ? `Re-driving ${total} parked ${total === 1 ? 'delivery' : 'deliveries'}; a running server delivers ${total === 1 ? 'it' : 'them'} within a second.\n`
        : `Nothing is parked${missionId !== undefined ? ` for ${missionId}` : ''}.\n`,
    );
  } finally {
    await db.close();
  }
}
