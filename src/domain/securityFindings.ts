// Security findings seen in Prepare (Dependabot and code scanning alerts, read by the GitHub
// inspector when its token may) and what they do to a play's risk: an open critical finding in a
// file the play touches raises the play to critical, whatever the proposer rated it. Findings
// travel in the inspection's metrics (numbers and short strings), so recorded coverage keeps its
// one shape for connectors and assistants alike.
import type { CoverageEntry, Mission } from './mission.js';
import type { PlayDraft, RiskLevel } from './plays.js';

export type FindingSeverity = 'critical' | 'high' | 'medium' | 'low';
export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['critical', 'high', 'medium', 'low'];

export interface SecurityFinding {
  source: 'dependabot' | 'code_scanning';
  severity: FindingSeverity;
  /** "jsonwebtoken: signature bypass (CVE-2025-1001)", "js/missing-token-validation". */
  title: string;
  /** The manifest (Dependabot) or the file (code scanning) the finding is in. */
  path: string | null;
}

/** Each source either answered with its open alerts or was not available to the token (403/404: not an error). */
export interface SecurityReport {
  dependabot: 'read' | 'not_available';
  codeScanning: 'read' | 'not_available';
  findings: SecurityFinding[];
}

/** Metric names the report is written under (and read back from). */
export const SECURITY_METRICS = {
  severity: (s: FindingSeverity) => `security_${s}`,
  criticalPaths: 'security_critical_paths',
  dependabot: 'dependabot_alerts',
  codeScanning: 'code_scanning_alerts',
} as const;

const NOT_AVAILABLE = 'not available to this token';

export function securityMetrics(report: SecurityReport): Record<string, number | string> {
  const metrics: Record<string, number | string> = {};
  for (const s of FINDING_SEVERITIES) metrics[SECURITY_METRICS.severity(s)] = report.findings.filter((f) => f.severity === s).length;
  metrics[SECURITY_METRICS.dependabot] = report.dependabot === 'read' ? report.findings.filter((f) => f.source === 'dependabot').length : NOT_AVAILABLE;
  metrics[SECURITY_METRICS.codeScanning] = report.codeScanning === 'read' ? report.findings.filter((f) => f.source === 'code_scanning').length : NOT_AVAILABLE;
  const critical = [...new Set(report.findings.filter((f) => f.severity === 'critical' && f.path).map((f) => f.path!))].sort();
  if (critical.length > 0) metrics[SECURITY_METRICS.criticalPaths] = critical.join(', ').slice(0, 500);
  return metrics;
}

/** One sentence by severity: "security: 1 critical (jsonwebtoken in package.json), 2 high; code scanning not available to this token". */
export function securitySummary(report: SecurityReport): string {
  const parts: string[] = [];
  if (report.dependabot === 'read' || report.codeScanning === 'read') {
    const counts = FINDING_SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s)] as const).filter(([, list]) => list.length > 0);
    if (counts.length === 0) parts.push('no open security alerts');
    else {
      parts.push(
        counts
          .map(([s, list]) =>
            s === 'critical'
              ? `${list.length} critical (${list
                  .slice(0, 3)
                  .map((f) => `${f.title}${f.path ? ` in ${f.path}` : ''}`)
                  .join('; ')})`
              : `${list.length} ${s}`,
          )
          .join(', '),
      );
    }
  }
  if (report.dependabot === 'not_available') parts.push(`Dependabot alerts ${NOT_AVAILABLE}`);
  if (report.codeScanning === 'not_available') parts.push(`code scanning alerts ${NOT_AVAILABLE}`);
  return `security: ${parts.join('; ')}`;
}

/** Files with open critical findings, from the latest inspection of each toolkit. */
export function criticalFindingPaths(entries: readonly CoverageEntry[]): string[] {
  const latest = new Map<string, CoverageEntry>();
  for (const entry of entries) latest.set(entry.toolkitId, entry);
  const paths = [...latest.values()].flatMap((e) => {
    const value = e.metrics[SECURITY_METRICS.criticalPaths];
    return typeof value === 'string'
      ? value
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : [];
  });
  return [...new Set(paths)];
}

function touchedText(play: Pick<PlayDraft, 'codeChangePreview' | 'mustHaves' | 'phases'>): string[] {
  return [
    ...(play.codeChangePreview?.files ?? []),
    ...play.mustHaves.artifacts,
    ...play.mustHaves.keyLinks,
    ...play.phases.flatMap((p) => p.steps.map((s) => s.title)),
  ];
}

/** Critical when the play touches a file with an open critical finding (named in its files, artifacts, links or steps). */
export function securityRiskFloor(
  mission: Pick<Mission, 'coverage'>,
  play: Pick<PlayDraft, 'codeChangePreview' | 'mustHaves' | 'phases'>,
): { level: RiskLevel; paths: string[] } {
  const critical = criticalFindingPaths(mission.coverage.entries);
  if (critical.length === 0) return { level: 'low', paths: [] };
  const texts = touchedText(play);
  const paths = critical.filter((path) => texts.some((t) => t === path || t.includes(path)));
  return { level: paths.length > 0 ? 'critical' : 'low', paths };
}
