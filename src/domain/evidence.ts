// Evidence: artifacts hashed with sha256 when attached, and a bundle manifest whose hash
// covers every artifact, so any later change to an artifact or the set is detectable.
import type { Actor } from './actors.js';
import { canonicalJson, sha256Hex } from './eventLog.js';
import { RECENT_HISTORY } from './execution.js';

export type ArtifactKind = 'link' | 'markdown' | 'json' | 'file';

/** A code review recorded as evidence; it counts for the "code review" safeguard only when a person or a connector recorded it. */
export interface ReviewEvidence {
  state: 'approved' | 'changes_requested' | 'commented';
  reviewer: string;
}

export interface ArtifactRecord {
  id: string;
  name: string;
  kind: ArtifactKind;
  mediaType: string;
  sha256: string;
  sizeBytes: number;
  url: string | null;
  phaseId: string | null;
  review: ReviewEvidence | null;
  /** CI checks recorded with the artifact (e.g. a pull request's check runs). */
  checks: Array<{ name: string; conclusion: 'success' | 'failure' | 'neutral' | 'skipped' | 'pending' }> | null;
  attachedBy: Actor;
  attachedAt: string;
}

/**
 * A mission's evidence as its document holds it: every artifact has its row (`MissionArtifact`,
 * record and position), and the document keeps a bounded part of them: the latest
 * RECENT_HISTORY plus the ones the gates, GitHub matching and verification read
 * (`retainArtifacts`), oldest first. `count` is how many were ever attached; a document from
 * before the window has no `count` and holds every artifact.
 */
export interface MissionEvidence {
  artifacts: ArtifactRecord[];
  count?: number;
  bundle: EvidenceBundle | null;
}

/** How many artifacts the mission holds (the document may keep only some of them). */
export function artifactCount(evidence: Pick<MissionEvidence, 'artifacts' | 'count'>): number {
  return evidence.count ?? evidence.artifacts.length;
}

/** Whether the document's list is every artifact (no row needs reading to list them all). */
export function holdsEveryArtifact(evidence: Pick<MissionEvidence, 'artifacts' | 'count'>): boolean {
  return evidence.count === undefined || evidence.count === evidence.artifacts.length;
}

const PULL_REQUEST_URL = /\/pull\/\d+(?:[/?#]|$)/;

/**
 * The artifacts a document keeps, oldest first: the latest RECENT_HISTORY and, older ones, those
 * readers of the document need: the latest of each URL a person or connector attached (GitHub
 * matching, closing a pull request's step), the latest linking to a pull request (verification),
 * the latest check snapshot of each source (CI gate), the latest review a person or connector
 * recorded and the latest approval an assistant attached (code review gate), and the latest
 * checks an assistant attached per source (shown as reported). Each is "the latest of its kind",
 * so keeping them from the kept list alone gives the same answer as from every artifact.
 */
export function retainArtifacts(artifacts: readonly ArtifactRecord[]): ArtifactRecord[] {
  const pinned = new Map<string, string>();
  artifacts.forEach((a) => {
    const byPerson = a.attachedBy.kind !== 'mcp_token';
    if (byPerson && a.url) pinned.set(`url:${a.url}`, a.id);
    if (a.url && PULL_REQUEST_URL.test(a.url)) pinned.set('pull_request', a.id);
    if (byPerson && a.checks) pinned.set(`checks:${a.url ?? a.id}`, a.id);
    if (byPerson && (a.review?.state === 'approved' || a.review?.state === 'changes_requested')) pinned.set('review', a.id);
    if (!byPerson && a.review?.state === 'approved') pinned.set('assistant_review', a.id);
    if (!byPerson && a.checks && a.checks.length > 0) pinned.set(`assistant_checks:${a.url ?? a.name}`, a.id);
  });
  const kept = new Set(pinned.values());
  const recentFrom = artifacts.length - RECENT_HISTORY;
  return artifacts.filter((a, i) => i >= recentFrom || kept.has(a.id));
}

/** The evidence with `artifact` appended: counted, and the document's list bounded again. */
export function appendArtifact(evidence: MissionEvidence, artifact: ArtifactRecord): MissionEvidence {
  return { ...evidence, artifacts: retainArtifacts([...evidence.artifacts, artifact]), count: artifactCount(evidence) + 1 };
}

/**
 * A document from before the window that lists more artifacts than the window keeps, bounded:
 * the rows get their records (`records`, to write with the save), the document its kept part and
 * count. Null when there is nothing to do (a bounded document, or a short list, which the next
 * attach bounds).
 */
export function boundStoredEvidence(
  evidence: MissionEvidence,
): { evidence: MissionEvidence; records: Array<{ id: string; position: number; record: ArtifactRecord }> } | null {
  if (evidence.count !== undefined || evidence.artifacts.length <= RECENT_HISTORY) return null;
  return {
    evidence: { ...evidence, artifacts: retainArtifacts(evidence.artifacts), count: evidence.artifacts.length },
    records: evidence.artifacts.map((record, position) => ({ id: record.id, position, record })),
  };
}

export interface EvidenceBundle {
  manifestSha256: string;
  artifactCount: number;
  entries: Array<{ id: string; name: string; sha256: string }>;
  generatedAt: string;
}

export function hashArtifactContent(content: string): string {
  return sha256Hex(content);
}

export function bundleManifest(artifacts: readonly Pick<ArtifactRecord, 'id' | 'name' | 'sha256'>[], generatedAt: string): EvidenceBundle {
  const entries = [...artifacts].map((a) => ({ id: a.id, name: a.name, sha256: a.sha256 })).sort((a, b) => a.id.localeCompare(b.id));
  return { manifestSha256: sha256Hex(canonicalJson(entries)), artifactCount: entries.length, entries, generatedAt };
}

export type EvidenceVerification =
  | { ok: true; artifactCount: number; manifestSha256: string | null }
  | { ok: false; problems: Array<{ artifactId: string | null; problem: string }> };

/** Recomputes every artifact's hash from its stored content, and the bundle hash from the artifacts. */
export function verifyEvidence(
  artifacts: readonly ArtifactRecord[],
  contents: ReadonlyMap<string, string>,
  bundle: EvidenceBundle | null,
): EvidenceVerification {
  const problems: Array<{ artifactId: string | null; problem: string }> = [];
  for (const artifact of artifacts) {
    const content = contents.get(artifact.id);
    if (content === undefined) problems.push({ artifactId: artifact.id, problem: `artifact "${artifact.name}" has no stored content` });
    else if (hashArtifactContent(content) !== artifact.sha256)
      problems.push({ artifactId: artifact.id, problem: `artifact "${artifact.name}" changed after it was attached` });
  }
  if (bundle) {
    const recomputed = bundleManifest(artifacts, bundle.generatedAt);
    if (recomputed.manifestSha256 !== bundle.manifestSha256) {
      problems.push({ artifactId: null, problem: 'the evidence bundle no longer matches its artifacts (one was added, removed or changed)' });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, artifactCount: artifacts.length, manifestSha256: bundle?.manifestSha256 ?? null };
}
