// Evidence: artifacts hashed with sha256 when attached, and a bundle manifest whose hash
// covers every artifact, so any later change to an artifact or the set is detectable.
import type { Actor } from './actors.js';
import { canonicalJson, sha256Hex } from './eventLog.js';

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
