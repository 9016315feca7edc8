// Must-haves verified against the code and truths signed off in UAT, without a database:
// present, stub, missing and not-wired must-haves from file contents; a person's UAT results;
// completion refused while a truth is unverified, with nothing written.
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/actors.js';
import type { Mission } from '../../src/domain/mission.js';
import {
  checkArtifact,
  checkKeyLink,
  checkMustHavesAgainstCode,
  parseKeyLink,
  scanAntiPatterns,
  substantiveLines,
  type CodeAtRevision,
} from '../../src/domain/mustHaveChecks.js';
import { mustHaveStanding, recordMustHaveVerification, recordUatResult, uatItems } from '../../src/domain/verification.js';
import { VerificationService } from '../../src/domain/verificationService.js';
import { commandBy, eventTypes, inMemoryService, refusedBy } from '../support/ruleHarness.js';
import { SEED_REVIEW, seedToExecuting, signOffTruths, executeSeedPhases } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { refusal } from '../support/refusal.js';

const NOW = new Date('2025-10-15T12:00:00.000Z');
const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';

const REAL_CSRF = `import { timingSafeEqual } from 'node:crypto';
import { readCookie } from './cookies';

export function verifyCsrf(request: Request): void {
  const header = request.headers.get('x-csrf-token') ?? '';
  const cookie = readCookie(request, 'csrf') ?? '';
  if (header.length === 0 || !timingSafeEqual(Buffer.from(header), Buffer.from(cookie))) {
    throw new CsrfError('CSRF token missing or wrong');
  }
}
`;
const STUB_CSRF = `// CSRF protection
export function verifyCsrf(request: Request): boolean {
  // TODO: compare the header with the cookie
  throw new Error('not implemented');
}
export function csrfToken(): string { return 'token'; }
`;
const MIDDLEWARE = `import { NextResponse } from 'next/server';
import { verifyCsrf } from '@/lib/auth/csrf';
import { isRevoked } from '@/lib/auth/revocation';

export async function middleware(request: Request) {
  if (request.method !== 'GET') verifyCsrf(request);
  return NextResponse.next();
}
`;

function codeAt(files: Record<string, string>, changedFiles: string[] = Object.keys(files)): CodeAtRevision {
  return { repository: 'acme/webapp', pullRequest: 47, headSha: HEAD, changedFiles, read: async (path) => files[path] ?? null };
}

describe('checking must-haves against the code', () => {
  it('verifies an artifact that exists with substance and no placeholder', async () => {
    const check = await checkArtifact('src/lib/auth/csrf.ts', codeAt({ 'src/lib/auth/csrf.ts': REAL_CSRF }));
    expect(check).toEqual({
      kind: 'artifact',
      subject: 'src/lib/auth/csrf.ts',
      status: 'VERIFIED',
      lookedAt: 'src/lib/auth/csrf.ts @ 6dcb09b',
      detail: 'Exists with 7 lines of code and no placeholder.',
    });
  });

  it('calls an artifact with placeholders a stub and says where', async () => {
    const check = await checkArtifact('src/lib/auth/csrf.ts', codeAt({ 'src/lib/auth/csrf.ts': STUB_CSRF }));
    expect(check.status).toBe('STUB');
    expect(check.detail).toBe('TODO/FIXME left in at line 3; "not implemented" placeholder at line 4; hard-coded return at line 6.');
  });

  it('calls a file with almost no code a stub', async () => {
    const check = await checkArtifact('src/lib/auth/errors.ts', codeAt({ 'src/lib/auth/errors.ts': '// errors\n\nexport {};\n' }));
    expect(check).toMatchObject({ status: 'STUB', detail: 'Only 1 line of code (at least 3 expected).' });
  });

  it('reports an artifact that is not at the head as missing', async () => {
    const check = await checkArtifact('src/lib/auth/errors.ts', codeAt({}));
    expect(check).toMatchObject({
      status: 'MISSING',
      lookedAt: 'src/lib/auth/errors.ts @ 6dcb09b',
      detail: "Not found in acme/webapp at the pull request's head.",
    });
  });

  it('leaves an artifact that names no file to a person', async () => {
    expect((await checkArtifact('Updated runbook for on-call', codeAt({}))).status).toBe('NEEDS_HUMAN');
  });

  it('finds a key link as a named import or a call, and reports it not wired otherwise', async () => {
    const code = codeAt({ 'src/middleware.ts': MIDDLEWARE });
    expect(await checkKeyLink('src/middleware.ts -> verifyCsrf', code)).toMatchObject({
      status: 'VERIFIED',
      detail: "Uses verifyCsrf (line 2: import { verifyCsrf } from '@/lib/auth/csrf';).",
    });
    expect((await checkKeyLink('src/middleware.ts calls csrf.verify', code)).status).toBe('NOT_WIRED');
    expect(await checkKeyLink('src/middleware.ts imports src/lib/auth/revocation.ts', code)).toMatchObject({ status: 'VERIFIED' });
    expect(await checkKeyLink('src/middleware.ts -> rateLimit', code)).toMatchObject({
      status: 'NOT_WIRED',
      detail: 'No import or call of rateLimit in src/middleware.ts.',
    });
    expect(await checkKeyLink('src/routes.ts -> verifyCsrf', code)).toMatchObject({
      status: 'NOT_WIRED',
      detail: "src/routes.ts does not exist at the pull request's head.",
    });
    expect((await checkKeyLink('refresh endpoint -> token store', code)).status).toBe('NEEDS_HUMAN');
  });

  it('does not take a mention in a comment for wiring', async () => {
    const code = codeAt({ 'src/middleware.ts': '// we should call rateLimit(request) here\nexport const x = 1;\n' });
    expect((await checkKeyLink('src/middleware.ts -> rateLimit', code)).status).toBe('NOT_WIRED');
  });

  it('parses the key link forms it can check', () => {
    expect(parseKeyLink('src/a.ts -> rotateToken')).toEqual({ from: 'src/a.ts', to: 'rotateToken' });
    expect(parseKeyLink('`src/a.ts` calls `csrf.verify()`')).toEqual({ from: 'src/a.ts', to: 'csrf.verify' });
    expect(parseKeyLink('middleware -> revocation list')).toBeNull();
  });

  it('scans changed files for placeholders, empty bodies and hard-coded returns', async () => {
    expect(scanAntiPatterns('a.ts', 'function f() {}\nconst g = () => {};\ntry { x() } catch (e) {}\n').map((f) => [f.line, f.kind])).toEqual([
      [1, 'empty_body'],
      [2, 'empty_body'],
      [3, 'empty_body'],
    ]);
    expect(substantiveLines('/* a\n b */\n// c\n{\n}\nconst x = 1;\n')).toBe(1);
    const result = await checkMustHavesAgainstCode(
      { artifacts: [], keyLinks: [] },
      codeAt({ 'src/lib/auth/csrf.ts': STUB_CSRF, 'src/middleware.ts': MIDDLEWARE }),
    );
    expect(result.antiPatterns.map((f) => `${f.path}:${f.line} ${f.kind}`)).toEqual([
      'src/lib/auth/csrf.ts:3 todo',
      'src/lib/auth/csrf.ts:4 not_implemented',
      'src/lib/auth/csrf.ts:6 hard_coded_return',
    ]);
  });
});

let executing: Mission;
beforeAll(async () => {
  const { service, clock } = inMemoryService();
  executing = await seedToExecuting(service, clock);
});

describe('UAT results', () => {
  it('derives one item per truth, then the acceptance criteria the truths do not state', () => {
    const items = uatItems(executing);
    expect(items.filter((i) => i.source === 'truth').map((i) => i.statement)).toEqual([
      'Sessions persist across refresh without random logouts',
      'Logout revokes the token',
      'State-changing requests without a CSRF token are rejected',
    ]);
    expect(items[1]).toEqual({
      id: 'truth_2',
      source: 'truth',
      statement: 'Logout revokes the token',
      prompt: 'Try it yourself: logout revokes the token. Does it hold?',
      expected: 'Logout revokes the token',
    });
    expect(items.some((i) => i.source === 'acceptance_criterion')).toBe(true);
  });

  it("records a person's pass, and signs UAT off when every item passed", () => {
    let mission = executing;
    const items = uatItems(executing);
    items.forEach((item, i) => {
      const cmd = commandBy(JORDAN, NOW);
      mission = recordUatResult(mission, { itemId: item.id, outcome: 'pass', note: 'ok' }, cmd);
      expect(eventTypes(cmd)).toEqual(i === items.length - 1 ? ['uat_result_recorded', 'uat_signed_off'] : ['uat_result_recorded']);
    });
    expect(mustHaveStanding(mission)).toMatchObject({ score: { verified: 3, total: 3 } });
  });

  it('refuses an assistant signing off its own work, a fail without a note and an unknown item, changing nothing', () => {
    const byAssistant = commandBy(ASSISTANT, NOW);
    expect(refusedBy(executing, byAssistant, () => recordUatResult(executing, { itemId: 'truth_1', outcome: 'pass' }, byAssistant)).message).toContain(
      'Only a person can sign off a UAT item',
    );
    const noNote = commandBy(JORDAN, NOW);
    expect(refusedBy(executing, noNote, () => recordUatResult(executing, { itemId: 'truth_1', outcome: 'fail', note: ' ' }, noNote)).details.field).toBe(
      'note',
    );
    const unknown = commandBy(JORDAN, NOW);
    expect(refusedBy(executing, unknown, () => recordUatResult(executing, { itemId: 'truth_9', outcome: 'pass' }, unknown)).message).toContain(
      'no UAT item "truth_9"',
    );
  });

  it('keeps a failed truth as a gap and turns a failed acceptance criterion into a follow-up', () => {
    const failTruth = commandBy(JORDAN, NOW);
    const afterTruth = recordUatResult(executing, { itemId: 'truth_2', outcome: 'fail', note: 'Old token still accepted' }, failTruth);
    expect(mustHaveStanding(afterTruth).gaps).toEqual(['Truth "Logout revokes the token" FAILED in UAT: Old token still accepted']);
    expect(afterTruth.reflection.followUps).toEqual([]);
    const criterion = uatItems(executing).find((i) => i.source === 'acceptance_criterion')!;
    const failCriterion = commandBy(JORDAN, NOW);
    const afterCriterion = recordUatResult(executing, { itemId: criterion.id, outcome: 'fail', note: 'Not checked on Safari' }, failCriterion);
    expect(eventTypes(failCriterion)).toEqual(['followup_scheduled', 'uat_result_recorded']);
    expect(afterCriterion.reflection.followUps[0]).toMatchObject({ title: `UAT failed: ${criterion.statement}`, priority: 'high' });
    expect(afterCriterion.execution!.uat![0]!.followUpId).toBe(afterCriterion.reflection.followUps[0]!.id);
  });

  it('is human_needed until the code is checked and truths are signed off; gaps_found on a stub', () => {
    expect(mustHaveStanding(executing).status).toBe('human_needed');
    const cmd = commandBy(SYSTEM_ACTOR, NOW);
    const checked = recordMustHaveVerification(
      executing,
      {
        repository: 'acme/webapp',
        pullRequest: 47,
        headSha: HEAD,
        antiPatterns: [],
        checks: [
          { kind: 'artifact', subject: 'src/lib/auth/csrf.ts', status: 'STUB', lookedAt: 'src/lib/auth/csrf.ts @ 6dcb09b', detail: 'Only 1 line of code.' },
        ],
      },
      cmd,
    );
    expect(eventTypes(cmd)).toEqual(['must_haves_verified']);
    expect(mustHaveStanding(checked)).toMatchObject({
      status: 'gaps_found',
      gaps: ['Artifact "src/lib/auth/csrf.ts" is STUB (src/lib/auth/csrf.ts @ 6dcb09b): Only 1 line of code.'],
    });
  });
});

describe('completing a mission', () => {
  async function readyToComplete() {
    const { service, clock, repository } = inMemoryService();
    const mission = await seedToExecuting(service, clock);
    await executeSeedPhases(service, clock, mission.id, { withArtifacts: true });
    await service.attachEvidence({ missionId: mission.id, ...SEED_REVIEW }, JORDAN);
    return { service, repository, id: mission.id };
  }

  it('refuses while a truth is not signed off, naming it and what to do, and writes nothing', async () => {
    const { service, repository, id } = await readyToComplete();
    const before = await service.getMission({ missionId: id });
    const eventsBefore = (await repository.events(id)).length;
    const error = await refusal(service.completeMission({ missionId: id }, ASSISTANT));
    expect(error.code).toBe('verification_incomplete');
    expect(error.message).toBe(
      'The mission cannot complete as verified. 3 observable truths are not verified: "Sessions persist across refresh without random logouts", "Logout revokes the token" and ' +
        '"State-changing requests without a CSRF token are rejected". A person signs each one off by marking it Pass in the UAT message in the mission thread.',
    );
    expect(error.details).toMatchObject({ unverifiedTruths: ['truth_1', 'truth_2', 'truth_3'] });
    const after = await service.getMission({ missionId: id });
    expect(after.version).toBe(before.version);
    expect(after.state).toBe('executing');
    expect((await repository.events(id)).length).toBe(eventsBefore);
  });

  it('refuses a failed truth until a re-test passes, then completes', async () => {
    const { service, id } = await readyToComplete();
    await signOffTruths(service, id);
    const uat = new VerificationService(service, null, SYSTEM_ACTOR);
    await uat.recordUatResult({ missionId: id, itemId: 'truth_2', outcome: 'fail', note: 'Old token still accepted' }, JORDAN);
    expect((await refusal(service.completeMission({ missionId: id }, ASSISTANT))).message).toContain('"Logout revokes the token" (failed UAT)');
    await uat.recordUatResult({ missionId: id, itemId: 'truth_2', outcome: 'pass', note: 'Fixed in 3f2a1c0' }, JORDAN);
    const completed = await service.completeMission({ missionId: id }, ASSISTANT);
    expect(completed.state).toBe('reflecting');
    expect(completed.execution!.uat!.find((r) => r.itemId === 'truth_2')).toMatchObject({ outcome: 'pass', note: 'Fixed in 3f2a1c0' });
  });

  it('checks the code at completion and refuses a stub, recording what it found', async () => {
    const { service, id } = await readyToComplete();
    await signOffTruths(service, id);
    const files = { 'src/lib/auth/jwt.ts': REAL_CSRF.replace(/Csrf/g, 'Jwt'), 'src/lib/auth/csrf.ts': STUB_CSRF };
    const reads: string[] = [];
    const host = {
      open: async (ref: string) => {
        reads.push(ref);
        return codeAt(files);
      },
    };
    const verification = new VerificationService(service, host, { kind: 'system', id: 'github-connector' });
    service.setBeforeCompletion((missionId) => verification.beforeCompletion(missionId));
    const error = await refusal(service.completeMission({ missionId: id }, ASSISTANT));
    expect(reads).toEqual(['https://github.com/jordan-nakamura/legaltech-mvp/pull/47#pullrequestreview-1']);
    expect(error.message).toContain('The code at 6dcb09b does not show 1 must-have: "src/lib/auth/csrf.ts" (STUB).');
    const recorded = (await service.getMission({ missionId: id })).execution!.mustHaveVerification!;
    expect(recorded.checks.map((c) => [c.subject, c.status])).toEqual([
      ['src/lib/auth/jwt.ts', 'VERIFIED'],
      ['src/lib/auth/csrf.ts', 'STUB'],
      ['refresh endpoint -> token store', 'NEEDS_HUMAN'],
      ['middleware -> revocation list', 'NEEDS_HUMAN'],
    ]);
    // Same head, same findings: a second attempt records nothing new.
    const version = (await service.getMission({ missionId: id })).version;
    await refusal(service.completeMission({ missionId: id }, ASSISTANT));
    expect((await service.getMission({ missionId: id })).version).toBe(version);
    files['src/lib/auth/csrf.ts'] = REAL_CSRF;
    expect((await service.completeMission({ missionId: id }, ASSISTANT)).state).toBe('reflecting');
  });
});
