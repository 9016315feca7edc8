// `mission-control token create|list|revoke`: manage MCP bearer tokens. The secret is printed
// once, on create; only its sha256 is stored.
import type { Config } from '../config.js';
import { openDatabase } from '../storage/database.js';
import { createToken } from './mcpTokens.js';
import { stringFlags, UsageError } from '../cliFlags.js';

export const TOKEN_USAGE = `Usage:
  mission-control token create --name NAME [--on-behalf-of SLACK_USER_ID]
  mission-control token list
  mission-control token revoke --name NAME`;

// Re-exported: the other subcommands import it from here.
export { UsageError };

export async function runTokenCommand(args: readonly string[], config: Config, out: NodeJS.WritableStream): Promise<void> {
  const [sub, ...rest] = args;
  const flags = stringFlags(rest, sub === 'create' ? ['name', 'on-behalf-of'] : sub === 'revoke' ? ['name'] : []);
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError(sub ? `Unknown token command "${sub}".` : 'Say what to do with tokens.');
  if ((sub === 'create' || sub === 'revoke') && !flags.name) throw new UsageError('--name is required.');
  const db = await openDatabase(config.DATABASE_URL);
  try {
    if (sub === 'create') {
      const { record, secret } = await createToken(db.accessTokens, { name: flags.name!, onBehalfOf: flags['on-behalf-of'] });
      out.write(
        `Created MCP token "${record.name}"${record.onBehalfOf ? ` acting for ${record.onBehalfOf}` : ''}. Copy it now; it is not shown again:\n\n${secret}\n\nUse it as: Authorization: Bearer ${secret}\n`,
      );
    } else if (sub === 'list') {
      const tokens = await db.accessTokens.list();
      if (tokens.length === 0) out.write('No MCP tokens. Create one with `mission-control token create --name NAME`.\n');
      for (const t of tokens) {
        const status = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
        out.write(
          `${t.name}\t${status}\tcreated ${t.createdAt.toISOString()}\tlast used ${t.lastUsedAt?.toISOString() ?? 'never'}${t.onBehalfOf ? `\tfor ${t.onBehalfOf}` : ''}\n`,
        );
      }
    } else {
      const revoked = await db.accessTokens.revoke(flags.name!, new Date());
      if (!revoked) throw new UsageError(`No active token named "${flags.name}".`);
      out.write(`Revoked MCP token "${flags.name}".\n`);
    }
  } finally {
    await db.close();
  }
}
