// `mission-control credential set|list|remove|rotate`: a workspace's connector tokens, stored
// encrypted (ENCRYPTION_KEY). `set` checks the token against the API and says what it found;
// the token itself is never printed. Pass it on stdin to keep it out of the shell history.
// `rotate` re-seals every stored token with the current ENCRYPTION_KEY (old keys in ENCRYPTION_KEY_PREVIOUS).
import type { Config } from '../../config.js';
import { stringFlags, UsageError } from '../../cliFlags.js';
import { openDatabase } from '../../storage/database.js';
import { PrismaCredentialStore } from '../../storage/prismaCredentialStore.js';
import { failedCheck, githubProbe, linearProbe, type AuthCheck } from '../apiAuthChecker.js';
import { GitHubApi } from '../github/githubApi.js';
import { LinearApi } from '../linear/linearApi.js';
import { CredentialVault, DEFAULT_WORKSPACE, TOOLKIT_ENV_TOKENS } from './credentialVault.js';

export const CREDENTIAL_USAGE = `Usage:
  mission-control credential set --toolkit github|linear [--workspace ID] [--token TOKEN]   (without --token, reads it from stdin)
  mission-control credential list
  mission-control credential remove --toolkit github|linear [--workspace ID]
  mission-control credential rotate   (re-seals every stored token with ENCRYPTION_KEY; the old key goes in ENCRYPTION_KEY_PREVIOUS)`;

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text.trim();
}

export async function runCredentialCommand(
  args: readonly string[],
  config: Config,
  out: NodeJS.WritableStream,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'set' && sub !== 'list' && sub !== 'remove' && sub !== 'rotate')
    throw new UsageError(sub ? `Unknown credential command "${sub}".` : 'Say what to do with credentials.');
  const flags = stringFlags(rest, sub === 'set' ? ['toolkit', 'workspace', 'token'] : sub === 'remove' ? ['toolkit', 'workspace'] : []);
  if ((sub === 'set' || sub === 'remove') && !(flags.toolkit && flags.toolkit in TOOLKIT_ENV_TOKENS))
    throw new UsageError('--toolkit must be github or linear.');
  const workspace = flags.workspace ?? DEFAULT_WORKSPACE;
  const db = await openDatabase(config.DATABASE_URL);
  try {
    const store = new PrismaCredentialStore(db.prisma);
    const vault = new CredentialVault(store, config.ENCRYPTION_KEY, {}, config.ENCRYPTION_KEY_PREVIOUS);
    if (sub === 'set') {
      const token = flags.token ?? (await readStdin(stdin));
      if (!token) throw new UsageError('No token given: pass --token or pipe it on stdin.');
      await vault.save(workspace, flags.toolkit!, token, new Date());
      const check = await probe(flags.toolkit!, token, config);
      if (check.status === 'ready') await vault.markValidated(flags.toolkit!, new Date(), check.scopes, workspace);
      out.write(`Stored the ${flags.toolkit} credential for workspace "${workspace}" (encrypted). Check against the API: ${check.status}, ${check.detail}.\n`);
    } else if (sub === 'list') {
      const rows = await store.list();
      if (rows.length === 0) out.write(`No stored credentials; ${Object.values(TOOLKIT_ENV_TOKENS).join(' and ')} from the environment are used when set.\n`);
      for (const r of rows) {
        const key =
          r.keyId === null
            ? 'key unknown (stored before key ids; run `credential rotate`)'
            : r.keyId === vault.currentKeyId
              ? `key ${r.keyId} (current)`
              : `key ${r.keyId} (old: run \`credential rotate\`)`;
        out.write(
          `${r.workspaceId}\t${r.toolkitId}\tstored ${r.updatedAt.toISOString()}\t${r.validatedAt ? `validated ${r.validatedAt.toISOString()}` : 'not validated'}${r.scopes ? `\tscopes ${r.scopes}` : ''}\t${key}\n`,
        );
      }
    } else if (sub === 'rotate') {
      const report = await vault.rotate();
      for (const r of report.resealed)
        out.write(`Re-sealed ${r.workspaceId}/${r.toolkitId} (was key ${r.from ?? 'unknown'}) with key ${vault.currentKeyId}.\n`);
      for (const r of report.unreadable) out.write(`Could not open ${r.workspaceId}/${r.toolkitId}: ${r.reason}\n`);
      out.write(`${report.resealed.length} re-sealed, ${report.current} already under key ${vault.currentKeyId}, ${report.unreadable.length} unreadable.\n`);
      if (report.unreadable.length > 0) {
        throw new UsageError(
          'Some credentials were left under keys that are not configured: add those keys to ENCRYPTION_KEY_PREVIOUS and run rotate again, or store the tokens again with `credential set`.',
        );
      }
      if (config.ENCRYPTION_KEY_PREVIOUS)
        out.write(
          'Every stored credential is under the current key: ENCRYPTION_KEY_PREVIOUS can be removed once every instance runs with the new ENCRYPTION_KEY.\n',
        );
    } else {
      if (!(await store.remove(workspace, flags.toolkit!))) throw new UsageError(`No stored ${flags.toolkit} credential for workspace "${workspace}".`);
      out.write(`Removed the ${flags.toolkit} credential of workspace "${workspace}".\n`);
    }
  } finally {
    await db.close();
  }
}

function probe(toolkit: string, token: string, config: Config): Promise<AuthCheck> {
  const quick = { timeoutMs: 5_000, retry: { maxAttempts: 1 } };
  const run =
    toolkit === 'github'
      ? githubProbe(new GitHubApi({ token, baseUrl: config.GITHUB_API_URL, ...quick }))
      : linearProbe(new LinearApi({ apiKey: token, apiUrl: config.LINEAR_API_URL, ...quick }));
  return run().catch(failedCheck);
}
