// A toolkit's auth status, from its API: GitHub `GET /user` (with the scopes a classic token
// reports in `x-oauth-scopes`), Linear's `viewer`. Only an answer from the API makes a toolkit
// ready; a refused token needs auth; an API that does not answer leaves it degraded. Results
// are cached for a few minutes (and concurrent checks share one call), so recommending toolkits
// does not hit the APIs on every command. Toolkits without a connector fall back to
// `environmentAuthChecker`.
import type { ToolkitAuthChecker } from '../domain/toolkitInspection.js';
import type { AuthStatus } from '../domain/toolkits.js';
import { ConnectorError } from './connectorError.js';
import type { GitHubApi } from './github/githubApi.js';
import type { LinearApi } from './linear/linearApi.js';
import { SingleFlight } from './singleFlight.js';

export interface AuthCheck {
  status: AuthStatus;
  scopes: string | null;
  detail: string;
}

export type AuthProbe = () => Promise<AuthCheck>;

/** Classic tokens list their scopes; reading private repositories and filing issues needs `repo`. Fine-grained tokens list none. */
export function githubProbe(api: GitHubApi): AuthProbe {
  return async () => {
    const response = await api.get<{ login: string }>('GET /user');
    const scopes = response.headers['x-oauth-scopes'];
    if (scopes === undefined) return { status: 'ready', scopes: null, detail: `authenticated as ${response.data.login} (fine-grained token)` };
    const list = scopes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!list.includes('repo')) {
      return { status: 'needs_auth', scopes, detail: `token of ${response.data.login} lacks the "repo" scope (has: ${list.join(', ') || 'none'})` };
    }
    return { status: 'ready', scopes, detail: `authenticated as ${response.data.login}` };
  };
}

export function linearProbe(api: LinearApi): AuthProbe {
  return async () => {
    const data = await api.query<{ viewer: { id: string; name: string } }>('query Viewer { viewer { id name email } }');
    return { status: 'ready', scopes: null, detail: `authenticated as ${data.viewer.name}` };
  };
}

export interface ApiAuthCheckerOptions {
  probes: Partial<Record<string, AuthProbe>>;
  fallback: ToolkitAuthChecker;
  now?: () => number;
  ttlMs?: number;
  /** Told about every check that reached the API, e.g. to stamp the stored credential as validated. */
  onChecked?: (toolkitId: string, check: AuthCheck) => void;
}

export class ApiAuthChecker implements ToolkitAuthChecker {
  private readonly cache = new Map<string, { check: AuthCheck; at: number }>();
  private readonly flights = new SingleFlight();
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(private readonly options: ApiAuthCheckerOptions) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
  }

  async authStatus(toolkitId: string): Promise<AuthStatus> {
    return (await this.check(toolkitId))?.status ?? this.options.fallback.authStatus(toolkitId);
  }

  /** The full result (with scopes and a reason), or null when no connector probes this toolkit. */
  async check(toolkitId: string): Promise<AuthCheck | null> {
    const probe = this.options.probes[toolkitId];
    if (!probe) return null;
    const cached = this.cache.get(toolkitId);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.check;
    return this.flights.run(toolkitId, async () => {
      const check = await probe().catch((error: unknown) => failedCheck(error));
      // A degraded answer is retried sooner: an outage should not hide a working token for long.
      this.cache.set(toolkitId, { check, at: check.status === 'degraded' ? this.now() - this.ttlMs + 30_000 : this.now() });
      this.options.onChecked?.(toolkitId, check);
      return check;
    });
  }
}

/** What a failed probe means: a refused token needs auth; anything else leaves the toolkit degraded. */
export function failedCheck(error: unknown): AuthCheck {
  if (error instanceof ConnectorError && (error.failure === 'unauthorized' || error.failure === 'forbidden')) {
    return { status: 'needs_auth', scopes: null, detail: error.message };
  }
  return { status: 'degraded', scopes: null, detail: error instanceof Error ? error.message : String(error) };
}
