// Paths and wiring a brief names ("src/lib/auth/jwt.ts", "src/a.ts to use the new store"): the
// artifacts and key links of a play's must-haves.
import { cleanItems } from '../brief.js';

/** Paths the brief names: "src/lib/auth/jwt.ts", "db/migrations/", "README.md". Library names such as "Next.js" are not files. */
export function namedPaths(text: string): string[] {
  const found: string[] = [];
  const pathRe =
    /(?<![\w/.-])(?:\.{0,2}\/)?(?:[\w.-]+\/)+[\w.-]*|(?<![\w/.-])[\w-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|rb|php|cs|sql|md|mdx|json|ya?ml|toml|css|scss|html|prisma|sh|env)(?![\w/])/g;
  for (const m of text.matchAll(pathRe)) {
    const path = m[0].replace(/[.,;:]+$/, '');
    const segments = path.split('/').filter(Boolean);
    const hasExtension = /\.[a-z0-9]{1,6}$/i.test(path);
    const knownRoot =
      /^(?:\.{0,2}\/)?(?:src|lib|app|apps|packages|test|tests|spec|db|prisma|migrations|pages|api|scripts|docs|config|bin|public|components|server|client)\//.test(
        path,
      );
    // "POST/PUT/DELETE" or "CI/CD" are not paths; "Next.js" and "Node.js" are libraries.
    if (segments.length > 1 && !hasExtension && !knownRoot) continue;
    if (segments.length === 1 && /^[A-Z][a-z]*\.js$/.test(path)) continue;
    if (/^(?:next|node|vue|nuxt|express|react|socket|three|d3|chart)\.js$/i.test(path)) continue;
    found.push(path);
  }
  return cleanItems(found);
}

/** "src/auth/session.ts to use the new token store" → "src/auth/session.ts -> new token store". Only when the brief says so. */
export function namedWiring(text: string): string[] {
  const links: string[] = [];
  for (const path of namedPaths(text)) {
    const at = text.indexOf(path);
    const before = text.slice(0, at);
    const after = text.slice(at + path.length);
    // "src/a.ts to use X", "src/a.ts -> X", or "Wire src/a.ts to X".
    const link = /\b(?:wire|connect|hook up)\s+$/i.test(before)
      ? '(?:to|into|with)'
      : '(?:to use|uses|to call|calls|wired? (?:up )?(?:to|into)|connects? to|->|→)';
    const m = new RegExp(`^\\s*${link}\\s+(.+)`, 'i').exec(after);
    if (!m) continue;
    const target = (m[1] ?? '')
      .split(/[,;.()]|\s+(?:and|so|within|by|before|until|in \d)\b/i)[0]
      ?.replace(/^(?:the|a|an)\s+/i, '')
      .trim();
    if (target) links.push(`${path} -> ${target}`);
  }
  return links;
}
