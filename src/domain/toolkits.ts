// The toolkit catalog (what a mission can connect to), readiness vocabulary, and the
// recommendation rule: relevance to the brief plus precedent from past missions.

/** Auth status of a toolkit for this workspace. `deferred`: a person chose to go on without connecting it. */
export type AuthStatus = 'ready' | 'needs_auth' | 'deferred' | 'degraded' | 'unknown';
/** Readiness of a toolkit's data for the mission (the seed system's vocabulary). */
export type Readiness = 'unknown' | 'needs_auth' | 'needs_data' | 'blocked' | 'degraded' | 'ready';

export interface ToolkitDefinition {
  id: string;
  name: string;
  purpose: string;
  /** Words in a brief that make this toolkit relevant, with weights. */
  signals: Record<string, number>;
  /** Relevance every engineering mission gets, before signals. */
  baseRelevance: number;
}

export const TOOLKIT_CATALOG: readonly ToolkitDefinition[] = [
  {
    id: 'github',
    name: 'GitHub',
    purpose: 'Code repository: read the code and branch protection, link the pull request and its checks, file follow-up issues.',
    signals: {
      code: 1,
      repo: 2,
      repository: 2,
      refactor: 2,
      bug: 1,
      fix: 1,
      test: 1,
      tests: 1,
      pr: 2,
      'pull request': 2,
      branch: 2,
      merge: 2,
      ci: 2,
      typescript: 1,
      api: 1,
      deploy: 1,
    },
    baseRelevance: 0.5,
  },
  {
    id: 'linear',
    name: 'Linear',
    purpose: 'Issue tracking: link the mission to an issue, move its status as the mission moves, file follow-ups.',
    signals: {
      issue: 2,
      issues: 2,
      ticket: 2,
      track: 2,
      tracking: 2,
      'follow-up': 2,
      followup: 2,
      backlog: 2,
      sprint: 2,
      stakeholders: 1,
      linear: 4,
      roadmap: 1,
    },
    baseRelevance: 0.3,
  },
  {
    id: 'slack',
    name: 'Slack',
    purpose: 'Team updates: the mission thread, approvals and announcements.',
    signals: { notify: 2, announce: 2, team: 1, stakeholders: 2, channel: 2, slack: 4, incident: 1, communicate: 2 },
    baseRelevance: 0.3,
  },
];

export function findToolkit(id: string): ToolkitDefinition | undefined {
  return TOOLKIT_CATALOG.find((t) => t.id === id);
}

export interface ToolkitRecommendation {
  toolkitId: string;
  confidence: number;
  precedentCount: number;
  rationale: string;
  authStatus: AuthStatus;
}

function relevance(toolkit: ToolkitDefinition, briefText: string): { score: number; matched: string[] } {
  const text = ` ${briefText.toLowerCase().replace(/[^a-z0-9\- ]+/g, ' ')} `;
  const matched: string[] = [];
  let weight = 0;
  for (const [word, w] of Object.entries(toolkit.signals)) {
    if (text.includes(` ${word} `)) {
      matched.push(word);
      weight += w;
    }
  }
  // Saturating: a few strong signals are enough; more do not push past 0.95.
  const score = toolkit.baseRelevance + (0.95 - toolkit.baseRelevance) * (1 - Math.exp(-weight / 4));
  return { score, matched };
}

/**
 * Recommends catalog toolkits for a brief. Confidence blends relevance of the brief's words
 * (70%) with precedent: how many past missions on the same topics selected the toolkit
 * (30%, saturating at 10). Sorted by confidence, highest first.
 */
export function recommendToolkits(
  briefText: string,
  precedents: Readonly<Record<string, number>>,
  authStatus: Readonly<Record<string, AuthStatus>>,
): ToolkitRecommendation[] {
  return TOOLKIT_CATALOG.map((toolkit) => {
    const { score, matched } = relevance(toolkit, briefText);
    const precedentCount = precedents[toolkit.id] ?? 0;
    const precedentScore = Math.min(precedentCount, 10) / 10;
    const confidence = Math.round((0.7 * score + 0.3 * precedentScore) * 100) / 100;
    const why =
      matched.length > 0
        ? `the brief mentions ${matched
            .slice(0, 4)
            .map((m) => `"${m}"`)
            .join(', ')}`
        : 'useful for most engineering missions';
    const precedent =
      precedentCount === 0 ? 'no similar past missions yet' : `${precedentCount} similar past mission${precedentCount === 1 ? '' : 's'} used it`;
    return {
      toolkitId: toolkit.id,
      confidence,
      precedentCount,
      rationale: `${toolkit.purpose} Recommended because ${why}; ${precedent}.`,
      authStatus: authStatus[toolkit.id] ?? 'unknown',
    };
  }).sort((a, b) => b.confidence - a.confidence || a.toolkitId.localeCompare(b.toolkitId));
}
