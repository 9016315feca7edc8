// Command-line flags for the subcommands, with node:util's parseArgs in strict mode: unknown
// flags, a flag without its value and stray positionals are refused as UsageErrors, which the
// CLI prints with the subcommand's usage.
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** `--flag value` and `--flag=value` for each of `names` (all string-valued, each at most once). */
export function stringFlags<Name extends string>(args: readonly string[], names: readonly Name[]): Partial<Record<Name, string>> {
  const options = Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
  try {
    const { values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
    return values as Partial<Record<Name, string>>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
