// Each parsed statement goes to the chips it can feed, by its section and wording.
import { mentionsDeadline, withoutDeadlines } from '../text/deadlines.js';
import type { Unit } from './intentSections.js';
import { capitalise, stripLeadIn, tidy } from './intentText.js';
import { statementKpis } from './kpis.js';
import { isAction, isConstraint, READINESS_RE, TEST_DEPLOY_RE } from './statementKinds.js';

/** What the intent's statements say, sorted by the part of the brief they feed. */
export interface Statements {
  scopeActions: string[];
  bodyActions: string[];
  problems: string[];
  stack: string[];
  explicitAcceptance: string[];
  acceptanceCandidates: string[];
  safeguards: string[];
  timeline: string[];
  kpiSources: Array<{ text: string; fallback: boolean; first: boolean }>;
  timeSources: string[];
}

/** Step 1: each parsed statement goes to the chips it can feed, by its section and wording. */
export function sortStatements(units: readonly Unit[]): Statements {
  const s: Statements = {
    scopeActions: [],
    bodyActions: [],
    problems: [],
    stack: [],
    explicitAcceptance: [],
    acceptanceCandidates: [],
    safeguards: [],
    timeline: [],
    kpiSources: [],
    timeSources: [],
  };
  const constraint = (t: string): void => {
    s.safeguards.push(t);
    if (TEST_DEPLOY_RE.test(t)) s.acceptanceCandidates.push(t);
  };
  for (const u of units) {
    const t = u.text;
    switch (u.section) {
      case 'requirements':
      case 'body': {
        const listed = u.section === 'requirements' || u.bullet;
        if (isConstraint(t)) constraint(t);
        else if (listed) s.scopeActions.push(t);
        else if (isAction(t) && tidy(withoutDeadlines(stripLeadIn(t))).split(/\s+/).length > 1) s.bodyActions.push(stripLeadIn(t));
        s.kpiSources.push({ text: t, fallback: listed, first: false });
        s.timeSources.push(t);
        break;
      }
      case 'problems':
        s.problems.push(t);
        break;
      case 'acceptance':
        s.explicitAcceptance.push(t);
        s.kpiSources.push({ text: t, fallback: true, first: false });
        s.timeSources.push(t);
        break;
      case 'constraints':
      case 'safeguards':
        constraint(t);
        s.kpiSources.push({ text: t, fallback: true, first: false });
        s.timeSources.push(t);
        break;
      case 'out_of_scope':
        s.safeguards.push(`Out of scope: ${t}`);
        break;
      case 'kpis':
        s.kpiSources.push({ text: t, fallback: true, first: true });
        break;
      case 'stack':
        s.stack.push(t);
        break;
      case 'timeline':
        sortTimelineStatement(s, t, u.label);
        break;
      case 'objective':
        break;
    }
  }
  return s;
}

/** A line under a timeline or target heading: a deadline, a KPI target, or a readiness criterion. */
function sortTimelineStatement(s: Statements, t: string, label: string): void {
  const isTarget = /\btargets?\b/i.test(label);
  const timed = mentionsDeadline(t);
  if (isTarget && !timed && statementKpis(t, true).length > 0) {
    s.kpiSources.push({ text: t, fallback: true, first: false });
    s.acceptanceCandidates.push(t);
    return;
  }
  s.timeline.push(t.split(/\s+/).length <= 3 && label ? `${capitalise(label.toLowerCase())}: ${t}` : t);
  const remainder = timed ? tidy(withoutDeadlines(t)) : tidy(t);
  // "Target: Production deployment ready by end of day" → acceptance "Production deployment ready".
  if (remainder.split(/\s+/).length >= 2 && READINESS_RE.test(remainder)) s.acceptanceCandidates.push(remainder);
}
