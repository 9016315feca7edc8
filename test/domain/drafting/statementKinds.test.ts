// The named pieces the drafter sorts statements with (they replaced one 706-character action-verb
// regex and several long alternations): each is checked on what it must and must not catch.
import { describe, expect, it } from 'vitest';
import { actionParts, demandsPassingTests, isAction, isConstraint } from '../../../src/domain/drafting/statementKinds.js';

describe('action verbs', () => {
  it('reads a statement that starts with an action verb, after a conversational lead-in, as work', () => {
    expect(isAction('Add pagination to /users')).toBe(true);
    expect(isAction('Hey team, please can you optimise the CSV export')).toBe(true);
    expect(isAction('Optimize the query')).toBe(true);
    expect(isAction('set up the staging database')).toBe(true);
    expect(isAction('Clean up the old feature flags')).toBe(true);
  });

  it('needs the whole verb: "adding", "fixture" or "user" are not actions', () => {
    expect(isAction('Adding more logs would help')).toBe(false);
    expect(isAction('Fixtures are out of date')).toBe(false);
    expect(isAction('Users report the PDF shows the wrong currency')).toBe(false);
  });

  it('splits an objective into its actions, at commas, "and" and "then" only before a verb', () => {
    expect(actionParts('Refactor auth and add rate limiting')).toEqual(['Refactor auth', 'Add rate limiting']);
    expect(actionParts('Fix the login bug, then deploy the hotfix; update the docs')).toEqual(['Fix the login bug', 'Deploy the hotfix', 'Update the docs']);
    expect(actionParts('Add search and filters to the admin list')).toEqual(['Add search and filters to the admin list']);
  });
});

describe('constraints', () => {
  it('reads must/never/without and "no ..." clauses as constraints', () => {
    expect(isConstraint('Must stay backward compatible')).toBe(true);
    expect(isConstraint('Never log tokens')).toBe(true);
    expect(isConstraint('No breaking changes to the public API')).toBe(true);
    expect(isConstraint('Ship it fast, no regressions')).toBe(true);
    expect(isConstraint('Deploy with no downtime')).toBe(true);
  });

  it('does not read a capability ("must be able to") or plain work as a constraint', () => {
    expect(isConstraint('Users must be able to export their data')).toBe(false);
    expect(isConstraint('Add a dark mode toggle')).toBe(false);
    expect(isConstraint('Show the number of open invoices')).toBe(false);
  });

  it('reads a demand for passing tests, but not load or smoke tests to write', () => {
    expect(demandsPassingTests('all tests must pass')).toBe(true);
    expect(demandsPassingTests('ci stays green')).toBe(true);
    expect(demandsPassingTests('green builds only')).toBe(true);
    expect(demandsPassingTests('load tests pass at 500 rps')).toBe(false);
    expect(demandsPassingTests('write tests for the parser')).toBe(false);
  });
});
