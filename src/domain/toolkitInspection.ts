// Ports the connectors implement: whether a toolkit's credentials work, and a read-only
// inspection of what the toolkit can see for this mission (repository, issues, ...).
import type { Brief } from './brief.js';
import { TOOLKIT_CATALOG, type AuthStatus, type Readiness } from './toolkits.js';

export interface ToolkitAuthChecker {
  authStatus(toolkitId: string): Promise<AuthStatus>;
}

export interface ToolkitInspectionResult {
  status: Readiness;
  summary: string;
  metrics: Record<string, number | string | boolean>;
}

export interface ToolkitInspector {
  readonly toolkitId: string;
  inspect(mission: { id: string; brief: Brief; tags: readonly string[] }): Promise<ToolkitInspectionResult>;
}

/** Used when nothing is configured: every toolkit's status is unknown until a connector says otherwise. */
export const unknownAuthChecker: ToolkitAuthChecker = { authStatus: async () => 'unknown' };

/** Every catalog toolkit's auth status as the checker reports it now ('unknown' where it fails). */
export async function authStatuses(checker: ToolkitAuthChecker): Promise<Record<string, AuthStatus>> {
  const entries = await Promise.all(TOOLKIT_CATALOG.map(async (t) => [t.id, await checker.authStatus(t.id).catch(() => 'unknown' as const)] as const));
  return Object.fromEntries(entries);
}
