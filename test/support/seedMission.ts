// The seed 000 case study's intent, verbatim.
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
