// The seed 000 mission (Jordan's auth refactor, from shared/seeds) as data: the intent, the
// people, the plays, the phase reports and the evidence. The demo drives it end to end and
// the tests replay it stage by stage; names, numbers and ids follow the seed.
import type { UniformApprovalPolicy } from '../domain/approvalPolicy.js';
import type { PlayDraft } from '../domain/plays.js';

export const SEED_INTENT = `Refactor authentication system to fix session persistence bugs and security vulnerabilities.
Current issues:
- Users logged out randomly after 15-30 mins (JWT refresh race condition)
- Auth tokens not properly invalidated on logout
- Missing CSRF protection on state-changing endpoints
- Inconsistent error handling in auth middleware

Requirements:
- Fix JWT refresh logic (use sliding window)
- Implement proper token revocation list
- Add CSRF tokens to all POST/PUT/DELETE routes
- Centralize auth error handling
- Maintain backward compatibility with existing user sessions
- All tests must pass
- Zero downtime deployment

Tech stack: Next.js 14, Supabase Auth, TypeScript
Target: Production deployment ready by end of day`;

export const JORDAN = { kind: 'slack_user' as const, id: 'U0JORDAN', name: 'Jordan Nakamura' };
export const ADVISOR = { kind: 'slack_user' as const, id: 'U0ADVISOR', name: 'Trusted Advisor' };
export const ASSISTANT = { kind: 'mcp_token' as const, id: 'claude-code-jordan', onBehalfOf: 'U0JORDAN' };

/** The channel the seed mission lives in. */
export const CHANNEL = 'C0MISSIONS';

export const SECURITY_LEAD = { kind: 'slack_user' as const, id: 'U0SECLEAD', name: 'Sam Okafor' };
export const OUTSIDER = { kind: 'slack_user' as const, id: 'U0OUTSIDER', name: 'Random Passer-by' };

/** Jordan is listed as an approver, but the policy keeps him off his own critical-risk mission. */
export const SEED_POLICY: UniformApprovalPolicy = {
  approvers: [JORDAN.id, ADVISOR.id, SECURITY_LEAD.id],
  requiredApprovals: { low: 0, medium: 1, high: 1, critical: 2 },
  requesterExcludedAt: ['high', 'critical'],
  expiresAfterMinutes: 240,
};

const step = (id: string, title: string) => ({ id, title });

export const SEED_PLAY_1: PlayDraft = {
  title: 'Incremental Auth Hardening with Feature Flags',
  rationale:
    'Address critical JWT race condition first, then layer in CSRF and token revocation. Use feature flags to toggle new auth logic independently. Maintains backward compatibility. Enables progressive rollout with instant rollback.',
  confidence: 0.91,
  phases: [
    {
      id: 'jwt_refresh_fix',
      name: 'JWT Refresh Fix',
      steps: [
        step('refactor_jwt_ts', 'Refactor src/lib/auth/jwt.ts to use sliding window with mutex locking'),
        step('add_redis_store', 'Add Redis-backed refresh token store'),
        step('create_refresh_endpoint', 'Implement idempotent refresh endpoint with debouncing'),
        step('write_tests', 'Add unit tests for JWT refresh'),
      ],
    },
    {
      id: 'token_revocation',
      name: 'Token Revocation',
      steps: [
        step('create_migration', 'Create auth.token_revocation table (migration script)'),
        step('update_logout_handler', 'Update logout handler to persist revocation entries'),
        step('add_middleware_check', 'Add middleware check against revocation list'),
        step('implement_cleanup_job', 'Implement TTL-based cleanup job'),
        step('write_revocation_tests', 'Write unit tests for revocation logic'),
      ],
    },
    {
      id: 'csrf_protection',
      name: 'CSRF Protection',
      steps: [
        step('create_csrf_module', 'Add csrf.ts module with double-submit cookie pattern'),
        step('instrument_routes', 'Instrument all state-changing API routes'),
        step('update_middleware', 'Add CSRF validation to the middleware chain'),
        step('add_frontend_handling', 'Include CSRF tokens in frontend requests'),
        step('write_csrf_tests', 'Write unit tests for CSRF validation'),
      ],
    },
    {
      id: 'error_handling_centralization',
      name: 'Error Handling Centralization',
      steps: [
        step('create_error_classes', 'Create unified AuthError class hierarchy'),
        step('refactor_error_handling', 'Use centralized error handlers in all auth modules'),
        step('sanitize_messages', 'Sanitize error messages for production'),
        step('add_structured_logging', 'Add structured logging for debugging'),
        step('write_error_tests', 'Write unit tests for error handling'),
      ],
    },
    {
      id: 'testing_deployment',
      name: 'Testing & Deployment',
      steps: [
        step('run_full_test_suite', 'Run full test suite'),
        step('run_type_checks', 'Run type checks'),
        step('run_linter', 'Run linter'),
        step('create_github_pr', 'Create GitHub pull request'),
        step('deploy_preview', 'Deploy preview environment'),
      ],
    },
  ],
  undoPlan: {
    summary:
      'Feature flags allow instant rollback per phase. Database migrations use reversible scripts. Preview deployment validates changes before production.',
    steps: ['Close PR and delete branch', 'Disable feature flags', 'Revert migrations if schema changed', 'Rollback Vercel deployment to previous version'],
  },
  safeguardsEnforced: [
    'Backward compatibility with existing sessions (feature flags isolate changes)',
    'Zero downtime deployment (progressive rollout, no breaking schema changes)',
    'All tests must pass before merge (90%+ coverage enforced)',
    'Code review required for auth changes (automated PR created for review)',
    'Rollback plan for production deployment (multi-layer rollback strategy)',
  ],
  risk: { complexity: 'high', impact: 'critical', reversibility: 'high', testCoverage: 'strong', notes: 'Affects all 254 active users; auth is core' },
  estimatedDurationMinutes: 195,
  codeChangePreview: {
    filesToModify: 18,
    filesToCreate: 7,
    linesAdded: 850,
    linesRemoved: 320,
    files: ['src/lib/auth/jwt.ts', 'src/lib/auth/csrf.ts', 'src/lib/auth/errors.ts'],
  },
  mustHaves: {
    truths: ['Sessions persist across refresh without random logouts', 'Logout revokes the token', 'State-changing requests without a CSRF token are rejected'],
    artifacts: ['src/lib/auth/jwt.ts', 'src/lib/auth/csrf.ts'],
    keyLinks: ['refresh endpoint -> token store', 'middleware -> revocation list'],
  },
};

export const SEED_PLAY_2: PlayDraft = {
  ...SEED_PLAY_1,
  title: 'Complete Auth Rewrite with Next-Auth.js Migration',
  rationale:
    'Replace custom auth with battle-tested Next-Auth.js. Solves all issues but requires significant migration effort, data migration risk, and potential downtime.',
  confidence: 0.68,
  risk: { complexity: 'high', impact: 'critical', reversibility: 'low', testCoverage: 'moderate' },
  safeguardsEnforced: ['Code review required for auth changes'],
};

export const SEED_PLAY_3: PlayDraft = {
  ...SEED_PLAY_1,
  title: 'Hot-Patch JWT Race Condition Only',
  rationale: 'Address only the critical JWT bug with minimal changes. Defer CSRF and token revocation. Fast but leaves medium-severity issues unresolved.',
  confidence: 0.54,
  phases: [SEED_PLAY_1.phases[0]!],
  risk: { complexity: 'low', impact: 'high', reversibility: 'high', testCoverage: 'moderate' },
  safeguardsEnforced: ['All tests must pass before merge'],
};

export interface SeedPhaseReport {
  phaseId: string;
  steps: Array<[stepId: string, durationMs: number, counts?: Record<string, number>]>;
  tests: { total: number; coverage: number } | null;
  minutes: number;
}

export const SEED_PHASES: SeedPhaseReport[] = [
  {
    phaseId: 'jwt_refresh_fix',
    steps: [
      ['refactor_jwt_ts', 18200, { files_modified: 1 }],
      ['add_redis_store', 12400],
      ['create_refresh_endpoint', 9800],
      ['write_tests', 15600, { tests_added: 12 }],
    ],
    tests: { total: 139, coverage: 0.87 },
    minutes: 18,
  },
  {
    phaseId: 'token_revocation',
    steps: [
      ['create_migration', 8400],
      ['update_logout_handler', 7200],
      ['add_middleware_check', 6800],
      ['implement_cleanup_job', 11200],
      ['write_revocation_tests', 9600, { tests_added: 8 }],
    ],
    tests: { total: 147, coverage: 0.88 },
    minutes: 12,
  },
  {
    phaseId: 'csrf_protection',
    steps: [
      ['create_csrf_module', 14200],
      ['instrument_routes', 18600, { routes_modified: 7 }],
      ['update_middleware', 8200],
      ['add_frontend_handling', 12400],
      ['write_csrf_tests', 16200, { tests_added: 15 }],
    ],
    tests: { total: 162, coverage: 0.9 },
    minutes: 22,
  },
  {
    phaseId: 'error_handling_centralization',
    steps: [
      ['create_error_classes', 9800],
      ['refactor_error_handling', 24600, { files_modified: 18 }],
      ['sanitize_messages', 11400],
      ['add_structured_logging', 8200],
      ['write_error_tests', 12200, { tests_added: 10 }],
    ],
    tests: { total: 172, coverage: 0.92 },
    minutes: 16,
  },
  {
    phaseId: 'testing_deployment',
    steps: [
      ['run_full_test_suite', 42000, { tests_passing: 172 }],
      ['run_type_checks', 8400, { errors: 0 }],
      ['run_linter', 6200, { errors: 0, auto_fixes: 3 }],
      ['create_github_pr', 4800, { pr_number: 47 }],
      ['deploy_preview', 128000],
    ],
    tests: { total: 172, coverage: 0.92 },
    minutes: 18,
  },
];

/** The seed's seven artifacts, as the assistant attaches them (content is what gets hashed). */
export const SEED_ARTIFACTS = [
  {
    name: 'GitHub Pull Request #47',
    kind: 'link' as const,
    url: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47',
    checks: [
      { name: 'ci / test', conclusion: 'success' as const },
      { name: 'ci / typecheck', conclusion: 'success' as const },
    ],
  },
  {
    name: 'Code Change Summary',
    kind: 'markdown' as const,
    content: '# Code change summary\n\nFiles modified: 18 · Files created: 7 · Net LOC: +531\n\n5 phases completed.\n',
  },
  {
    name: 'Test Coverage Report',
    kind: 'file' as const,
    mediaType: 'text/html',
    content: '<h1>Coverage 92%</h1><p>172 tests, all passing. jwt.ts 96%, csrf.ts 94%, middleware.ts 89%</p>',
  },
  {
    name: 'Security Validation Report',
    kind: 'json' as const,
    json: { critical: 0, medium: 0, low: 0, resolved: ['jwt_race_condition', 'csrf', 'token_revocation', 'error_sanitization'], score: 98 },
  },
  {
    name: 'Database Migration Scripts',
    kind: 'file' as const,
    mediaType: 'application/sql',
    content: 'CREATE TABLE auth.token_revocation (token_hash text primary key, expires_at timestamptz not null);\n-- down\nDROP TABLE auth.token_revocation;\n',
  },
  {
    name: 'Preview Deployment Report',
    kind: 'json' as const,
    json: { url: 'https://preview-auth-refactor.vercel.app', status: 200, authFlow: 'tested', p95Ms: 98 },
  },
  { name: 'Validator Oversight Log', kind: 'json' as const, json: { autoFixes: 3, alertsRaised: 1, alertsResolved: 1, violations: 0 } },
];

/** Jordan records the advisor's approving review of PR #47: a person vouches for it. */
export const SEED_REVIEW = {
  name: 'PR #47 review by advisor_001',
  kind: 'link' as const,
  url: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47#pullrequestreview-1',
  review: { state: 'approved' as const, reviewer: 'advisor_001' },
};
