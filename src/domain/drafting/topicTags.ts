// Topic tags, the domain (software or not) and the kind of work (technical context) of an intent.

const TAG_PATTERNS: ReadonlyArray<readonly [string, string]> = [
  ['api', 'apis?|endpoints?|graphql|routes?|webhooks?'],
  [
    'authentication',
    'auth|authn|authz|authentication|authenticat\\w*|authori[sz]ation|logins?|log ?in|logged (?:in|out)|log ?outs?|logouts?|sign[- ]?(?:in|out|up)|sessions?|jwts?|oauth2?|sso|saml|passwords?|mfa|2fa',
  ],
  ['bugfix', 'bugs?|fix(?:es|ed|ing)?|hotfix(?:es)?|crash\\w*|broken|regressions?|flaky'],
  ['ci', 'ci|ci\\/cd|pipelines?|github actions'],
  ['csrf', 'csrf|xsrf'],
  ['database', 'schemas?|migrations?|sql|databases?|db|postgres(?:ql)?|mysql|sqlite|prisma'],
  ['deployment', 'deploy\\w*|rollouts?|roll out|releases?|releasing|downtime'],
  ['documentation', 'docs|documentation|readme|changelog'],
  ['frontend', 'frontend|front-end|ui|ux|css|html|components?|pages?|buttons?|react'],
  ['jwt', 'jwts?'],
  ['nextjs', 'next\\.?js'],
  ['observability', 'logging|logs|metrics|monitoring|tracing|alert(?:s|ing)?|observability|dashboards?|telemetry'],
  ['payments', 'payments?|stripe|billing|invoices?|subscriptions?|refunds?|paypal'],
  ['performance', 'latency|slow(?:er|ness|down)?|p50|p75|p90|p95|p99|perf|performance|throughput|optimi[sz]\\w*|bottlenecks?|speed up|faster'],
  ['postgresql', 'postgres(?:ql)?|psql'],
  ['react', 'react(?:\\.?js)?'],
  ['refactor', 'refactor\\w*|restructur\\w*|clean ?up|rewrite'],
  ['security', 'security|secure|vulnerab\\w*|csrf|xss|audit\\w*|cves?|injection|exploit\\w*|pentest|owasp|secrets?'],
  ['supabase', 'supabase'],
  ['testing', 'tests?|testing|tested|coverage|unit tests?|e2e|vitest|jest|flaky'],
  ['typescript', 'typescript'],
];
const TAG_RES: ReadonlyArray<readonly [string, RegExp]> = TAG_PATTERNS.map(([tag, alts]) => [
  tag,
  new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alts})(?![\\p{L}\\p{N}_])`, 'iu'),
]);

/** Words that make an intent about software even when it has no topic tag ("fix the CSV export"). */
const CODE_WORDS = [
  'code',
  'codebase',
  'api',
  'endpoints?',
  'bugs?',
  'deploy\\w*',
  'tests?',
  'refactor\\w*',
  'database',
  'schema',
  'frontend',
  'backend',
  'server',
  'services?',
  'repo',
  'repository',
  'functions?',
  'modules?',
  'typescript',
  'javascript',
  'python',
  'rust',
  'java',
  'golang',
  'sql',
  'css',
  'html',
  'ci',
  'pr',
  'pull request',
  'merge',
  'commit',
  'branch',
  'library',
  'sdk',
  'cli',
  'docker',
  'kubernetes',
  'k8s',
  'migrations?',
  'components?',
  'middleware',
  'webhooks?',
  'queries',
  'cache',
  'caching',
  'latency',
  'readme',
  'csv',
  'json',
  'yaml',
  'config',
  'deps',
  'dependenc(?:y|ies)',
  'type errors?',
  'compil\\w*',
];
const CODE_RE = new RegExp(`(?<![\\p{L}])(?:${CODE_WORDS.join('|')})(?![\\p{L}])`, 'iu');

/** Software engineering when a topic other than documentation or payments is tagged, or code is named; else general. */
export function domainOf(tags: readonly string[], text: string): 'software_engineering' | 'general' {
  return tags.some((t) => t !== 'documentation' && t !== 'payments') || CODE_RE.test(text) ? 'software_engineering' : 'general';
}

/** Topic tags of a text, sorted. */
export function tagsOf(text: string): string[] {
  return TAG_RES.filter(([, re]) => re.test(text))
    .map(([tag]) => tag)
    .sort();
}

export function technicalContextOf(tags: ReadonlySet<string>, allText: string, workText: string, hasProblems: boolean): string {
  const has = (t: string): boolean => tags.has(t);
  if (has('authentication') && has('refactor')) return 'auth_refactor';
  if (has('security') && (has('bugfix') || /\b(?:vulnerab\w*|cves?|patch\w*)\b/i.test(allText))) return 'security_fix';
  if (/(?<![\p{L}])(?:migrat\w*|upgrad\w*|bump\w*|port(?:ing)? (?:to|from)|move (?:from|off))(?![\p{L}])/iu.test(workText)) return 'migration';
  if (has('performance')) return 'performance';
  const substantive = [...tags].filter((t) => !['documentation', 'bugfix', 'api'].includes(t));
  if (has('documentation') && substantive.length === 0) return 'documentation';
  if (has('bugfix') || hasProblems) return 'bug_fix';
  if (has('refactor')) return 'refactor';
  if (has('ci') || /\b(?:terraform|kubernetes|k8s|docker|helm|infra\w*)\b/i.test(allText)) return 'infrastructure';
  if (has('documentation')) return 'documentation';
  if (/(?<![\p{L}])(?:add|implement|build|create|introduce|support|enable|new|launch|allow|able to|let users)(?![\p{L}])/iu.test(workText)) return 'feature';
  if (has('deployment')) return 'infrastructure';
  return 'general_change';
}
