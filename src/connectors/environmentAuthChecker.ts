// Auth status from configured credentials. Until a connector validates a token against
// its API, a present credential only means "configured", reported as unknown, never ready.
import type { ToolkitAuthChecker } from '../domain/toolkitInspection.js';
import type { AuthStatus } from '../domain/toolkits.js';
import { TOOLKIT_CATALOG } from '../domain/toolkits.js';
import { TOOLKIT_CREDENTIAL_VARIABLES } from './credentials/toolkitCredentialVariables.js';

export function environmentAuthChecker(env: Record<string, string | undefined>): ToolkitAuthChecker {
  return {
    authStatus: async (toolkitId): Promise<AuthStatus> => {
      const toolkit = TOOLKIT_CATALOG.find((t) => t.id === toolkitId);
      if (!toolkit) return 'unknown';
      const present = (TOOLKIT_CREDENTIAL_VARIABLES[toolkit.id] ?? []).every((name) => (env[name] ?? '').trim().length > 0);
      return present ? 'unknown' : 'needs_auth';
    },
  };
}
