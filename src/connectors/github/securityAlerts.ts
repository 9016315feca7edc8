// Prepare's security look: open Dependabot and code scanning alerts of the repository. Either
// list may be closed to the token (403: no permission or the feature is off; 404: no analysis),
// which is reported as "not available to this token", not as a failed inspection.
import type { FindingSeverity, SecurityFinding, SecurityReport } from '../../domain/securityFindings.js';
import { ConnectorError } from '../connectorError.js';
import type { GitHubApi, RepositoryRef } from './githubApi.js';

interface DependabotAlertData {
  number: number;
  state: string;
  dependency: { package: { name: string }; manifest_path: string | null };
  security_advisory: { summary: string; severity: string; cve_id: string | null; ghsa_id: string };
  security_vulnerability?: { severity?: string };
}
interface CodeScanningAlertData {
  number: number;
  state: string;
  rule: { id: string | null; severity: string | null; security_severity_level?: string | null; description?: string | null };
  most_recent_instance?: { location?: { path?: string | null } | null } | null;
}

function severityOf(text: string | null | undefined): FindingSeverity {
  switch (text) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'error':
      return 'high';
    case 'medium':
    case 'moderate':
    case 'warning':
      return 'medium';
    default:
      return 'low';
  }
}

async function listOrUnavailable<T>(read: () => Promise<T[]>): Promise<T[] | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConnectorError && (error.failure === 'forbidden' || error.failure === 'not_found')) return null;
    throw error;
  }
}

export async function readSecurityAlerts(api: GitHubApi, ref: RepositoryRef): Promise<SecurityReport> {
  const where = { owner: ref.owner, repo: ref.repo, state: 'open', per_page: 100 };
  const [dependabot, codeScanning] = await Promise.all([
    listOrUnavailable(async () => (await api.get<DependabotAlertData[]>('GET /repos/{owner}/{repo}/dependabot/alerts', where)).data),
    listOrUnavailable(async () => (await api.get<CodeScanningAlertData[]>('GET /repos/{owner}/{repo}/code-scanning/alerts', where)).data),
  ]);
  const findings: SecurityFinding[] = [
    ...(dependabot ?? [])
      .filter((a) => a.state === 'open')
      .map(
        (a): SecurityFinding => ({
          source: 'dependabot',
          severity: severityOf(a.security_vulnerability?.severity ?? a.security_advisory.severity),
          title: `${a.dependency.package.name}: ${a.security_advisory.summary}${a.security_advisory.cve_id ? ` (${a.security_advisory.cve_id})` : ''}`,
          path: a.dependency.manifest_path,
        }),
      ),
    ...(codeScanning ?? [])
      .filter((a) => a.state === 'open')
      .map(
        (a): SecurityFinding => ({
          source: 'code_scanning',
          severity: severityOf(a.rule.security_severity_level ?? a.rule.severity),
          title: a.rule.id ?? a.rule.description ?? `alert ${a.number}`,
          path: a.most_recent_instance?.location?.path ?? null,
        }),
      ),
  ];
  return { dependabot: dependabot ? 'read' : 'not_available', codeScanning: codeScanning ? 'read' : 'not_available', findings };
}
