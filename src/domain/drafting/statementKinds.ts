// What a statement is: a constraint ("must stay backward compatible", "no downtime"), a piece of
// work (it starts with an action verb), about tests or releases, or about being ready. Each test
// is a named pattern or word list (test/domain/drafting/statementKinds.test.ts); the action verbs
// are shared with the planner (text/actionVerbs.ts).
import { DRAFTER_ACTION_VERBS } from '../text/actionVerbs.js';
import { stripLeadIn, tidy } from './intentText.js';

/** "all tests pass", "test suite stays green". */
const TESTS_PASS_RE = /\b(?:tests?|test suites?|specs?)\b[^.]{0,40}?\b(?:pass|passes|passing|green)\b/i;
/** "passing tests", "green CI". */
const PASSING_TESTS_RE = /\b(?:passing|green)\s+(?:tests?|ci|builds?)\b/i;
/** "CI stays green", "the build is green". */
const GREEN_BUILD_RE = /\b(?:ci|builds?|pipelines?)\b[^.]{0,20}?\bgreen\b/i;
/** Load, stress or smoke tests are work to do, not a demand that the suite passes. */
const NON_FUNCTIONAL_TEST_RE = /\b(?:load|stress|perf|performance|smoke|soak)\s+tests?\b/i;

/** The statement demands that the test suite passes ("all tests must pass", "CI green"). */
export function demandsPassingTests(text: string): boolean {
  return (TESTS_PASS_RE.test(text) || PASSING_TESTS_RE.test(text) || GREEN_BUILD_RE.test(text)) && !NON_FUNCTIONAL_TEST_RE.test(text);
}

/** Words that make a statement a constraint wherever they stand. */
const CONSTRAINT_WORDS = [
  'must',
  'never',
  'zero',
  'always',
  'without',
  'do not',
  "don't",
  'dont',
  'does not',
  "doesn't",
  'should not',
  "shouldn't",
  'must not',
  "mustn't",
  'cannot',
  "can't",
  'maintain(?:s|ing)?',
  'preserve[sd]?',
  'preserving',
  'avoid(?:s|ing)?',
  'backwards?[- ]compatib\\w*',
];
const CONSTRAINT_RE = new RegExp(`\\b(?:${CONSTRAINT_WORDS.join('|')})\\b`, 'i');
/** "no" opening a clause: "No new dependencies", "fast, no regressions", "with no downtime". */
const CLAUSE_NO_RE = /(?:^|[,;:(]\s*|\b(?:with|and|but|or)\s+)no\b/i;
/** "no" before what is ruled out: "no breaking changes", "no data loss". */
const RULED_OUT_RE = /\bno\s+(?:breaking|new|changes?|downtime|data loss|regressions?|direct|manual|more than|impact|outages?)\b/i;
/** "must be able to" states a capability to build, not a constraint. */
const ABLE_TO_RE = /\b(?:must|should|will)\s+be\s+able\s+to\b/gi;

export function isConstraint(text: string): boolean {
  const t = text.toLowerCase().replace(ABLE_TO_RE, ' ');
  if (demandsPassingTests(t)) return true;
  return CONSTRAINT_RE.test(t) || CLAUSE_NO_RE.test(t) || RULED_OUT_RE.test(t);
}

/** Constraints about tests and releases also make acceptance criteria. */
export const TEST_DEPLOY_RE =
  /\b(?:tests?|testing|ci|compatib\w*|backwards?|downtime|deploy\w*|releases?|rollout|regressions?|production|prod|data loss|breaking)\b/i;

/** Readiness words: "Production deployment ready by Friday" is an acceptance criterion too. */
export const READINESS_RE = /\b(?:ready|deployed|shipped|live|released|merged|done|complete[d]?|launched|available|rolled out|in production)\b/i;

/** One action verb as a whole word (built from the list; never written out by hand). */
const ACTION_VERB = `(?:${DRAFTER_ACTION_VERBS.join('|')})\\b`;
const STARTS_WITH_ACTION_RE = new RegExp(`^${ACTION_VERB}`, 'i');
/** Where one action ends and the next begins: "Refactor auth, add rate limiting and then ship it". */
const NEXT_ACTION_RE = new RegExp(`\\s*[,;]\\s*(?:and\\s+)?(?=${ACTION_VERB})|\\s+(?:and|then|&)\\s+(?=${ACTION_VERB})`, 'i');

/** The text starts with an action verb, once a conversational lead-in is removed. */
export function isAction(text: string): boolean {
  return STARTS_WITH_ACTION_RE.test(stripLeadIn(text));
}

/** Splits a one-line objective into action parts: "Refactor auth and add rate limiting" → two items. */
export function actionParts(objective: string): string[] {
  return objective
    .split(NEXT_ACTION_RE)
    .map((p) => tidy(p))
    .filter((p) => p.split(/\s+/).length >= 2);
}
