// Every Slack surface, built from real missions at each stage: compared with its committed
// fixture, checked against Block Kit limits, and read for what a person would look for.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHIP_KINDS } from '../../src/domain/brief.js';
import { ACTION_IDS, decodeActionValue, INPUT_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { alertMessage } from '../../src/slack/alertMessage.js';
import { appHome, isAwaitingApprovalFrom } from '../../src/slack/appHome.js';
import { checkBlockKitLimits } from '../../src/slack/blockKitLimits.js';
import { playPlanModal } from '../../src/slack/modals.js';
import { SECURITY_LEAD } from '../support/seedJourney.js';
import { ADVISOR, JORDAN } from '../support/seedMission.js';
import { buildSlackFixtures, type SlackFixtures } from './fixtureMissions.js';
import { openAlertId, renderSurfaces, type Surface } from './renderedSurfaces.js';
import { blocksOfType, buttons, visibleText } from './surfaceHelpers.js';

const fixturesDir = path.join(import.meta.dirname, '..', 'fixtures', 'slack');
const FIXTURE_FILES = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

let f: SlackFixtures;
let surfaces: Record<string, Record<string, Surface>>;

beforeAll(async () => {
  f = await buildSlackFixtures();
  surfaces = renderSurfaces(f);
});

const s = (file: string, name: string): Surface => surfaces[file]![name]!;

describe('Slack surfaces against their committed fixtures', () => {
  it('has a fixture file for every rendered group and no stale ones', () => {
    expect(FIXTURE_FILES).toEqual(Object.keys(surfaces).sort());
  });

  it.each(FIXTURE_FILES)('%s matches test/fixtures/slack/%s.json', (file) => {
    // UPDATE_SLACK_FIXTURES=1 rewrites the files from the builders; review the diff before committing it.
    if (process.env.UPDATE_SLACK_FIXTURES) writeFileSync(path.join(fixturesDir, `${file}.json`), `${JSON.stringify(surfaces[file], null, 2)}\n`);
    const expected = JSON.parse(readFileSync(path.join(fixturesDir, `${file}.json`), 'utf8')) as unknown;
    expect(JSON.parse(JSON.stringify(surfaces[file]))).toEqual(expected);
  });

  it('keeps every surface within Block Kit limits', () => {
    const violations = Object.entries(surfaces).flatMap(([file, cases]) =>
      Object.entries(cases).flatMap(([name, surface]) => checkBlockKitLimits(surface).map((v) => ({ file, name, ...v }))),
    );
    expect(violations).toEqual([]);
  });

  it('puts the mission id in every button value and modal metadata, and no token anywhere', () => {
    for (const cases of Object.values(surfaces)) {
      for (const surface of Object.values(cases)) {
        for (const b of buttons(surface)) expect(decodeActionValue(JSON.stringify(b.value))?.missionId).toMatch(/^msn_\d{4}$/);
        if ('type' in surface && surface.type === 'modal') expect(decodeActionValue(surface.private_metadata)?.missionId).toMatch(/^msn_\d{4}$/);
        expect(JSON.stringify(surface)).not.toMatch(/xox[abp]-|Bearer |ghp_|lin_api_/);
      }
    }
  });
});

describe('brief card', () => {
  it('shows every chip with its confidence and an Edit button for it', () => {
    const card = s('briefCard', 'briefDrafted');
    const text = visibleText(card);
    for (const label of ['Objective', 'Technical scope', 'Acceptance criteria', 'KPIs', 'Safeguards', 'Timeline'])
      expect(text).toContain(`*${label}* · confidence`);
    expect(text).toContain('*KPIs* · confidence 🟡 Medium');
    expect(text).toContain('*Objective* · confidence 🟢 High');
    const edits = buttons(card).filter((b) => b.actionId === ACTION_IDS.briefEditChip);
    expect(edits.map((b) => b.value.chip)).toEqual([...CHIP_KINDS]);
    expect(edits.every((b) => b.value.missionId === f.briefDrafted.id)).toBe(true);
    // Each chip can also be drafted again from the intent.
    const regenerate = buttons(card).filter((b) => b.actionId === ACTION_IDS.briefRegenerateChip);
    expect(regenerate.map((b) => [b.text, b.value.chip])).toEqual(CHIP_KINDS.map((kind) => ['Regenerate', kind]));
    // Regenerating a chip a person edited asks first; a drafted one needs no confirmation.
    const confirmOf = (surface: Surface, chip: string) =>
      (
        blocksOfType(surface, 'actions')
          .flatMap((b) => b.elements as Array<Record<string, unknown>>)
          .find((e) => e.action_id === ACTION_IDS.briefRegenerateChip && String(e.value).includes(`"chip":"${chip}"`)) as { confirm?: unknown }
      ).confirm;
    expect(confirmOf(card, 'kpis')).toBeUndefined();
    expect(JSON.stringify(confirmOf(s('briefCard', 'briefEdited'), 'kpis'))).toContain('replaced by a fresh draft from the intent');
  });

  it('offers Accept all and Cancel while the brief is open, and nothing once it is locked', () => {
    const chipControls = new Set<string>([ACTION_IDS.briefEditChip, ACTION_IDS.briefRegenerateChip]);
    expect(
      buttons(s('briefCard', 'briefEdited'))
        .filter((b) => b.blockType === 'actions' && !chipControls.has(b.actionId))
        .map((b) => [b.text, b.actionId]),
    ).toEqual([
      ['Accept all', ACTION_IDS.briefAcceptAll],
      ['Cancel mission', ACTION_IDS.missionCancel],
    ]);
    expect(visibleText(s('briefCard', 'briefEdited'))).toContain('2 edits so far');
    const locked = s('briefCard', 'locked');
    expect(buttons(locked)).toEqual([]);
    expect(visibleText(locked)).toContain('🔒 Brief locked');
    expect(visibleText(locked)).toContain('*KPIs* · confidence 🟢 High · edited by a person');
  });
});

describe('toolkit recommendations', () => {
  it("shows rationale, precedent and auth status, and the assistant's report as reported, not ready, with Accept reported coverage", () => {
    const message = s('toolkitMessage', 'toolkitsInspected');
    const text = visibleText(message);
    // No connector inspected GitHub: the assistant's finding is shown as its report, and the meter does not count it.
    expect(text).toContain('☑️ *GitHub* · 🗣️ reported by the assistant · confidence 61% · no precedent yet');
    expect(text).toContain('☑️ *Linear* · ⏸️ deferred: not needed for this mission');
    expect(text).toContain('Reported by the assistant, not inspected: ✅ ready · 23 auth files, 127 tests, 82% coverage');
    expect(text).toContain('Coverage 0% of the 85% needed to plan');
    expect(text).toContain('Reported by the assistant, not inspected by a connector: GitHub. Accepting the report makes coverage 100%');
    const [control] = blocksOfType(message, 'actions');
    const checkboxes = (control!.elements as Array<Record<string, unknown>>)[0] as { action_id: string; initial_options: Array<{ value: string }> };
    expect(checkboxes.action_id).toBe(ACTION_IDS.toolkitsSelect);
    expect(checkboxes.initial_options.map((o) => o.value)).toEqual(['github', 'linear']);
    expect(buttons(message).map((b) => b.actionId)).toEqual([
      ACTION_IDS.toolkitDefer,
      ACTION_IDS.toolkitsConfirm,
      ACTION_IDS.toolkitsInspect,
      ACTION_IDS.coverageAcceptReported,
      ACTION_IDS.coverageOverrideOpen,
    ]);
    // Once Jordan accepted it, the finding counts and says who vouched for it.
    const confirmed = visibleText(s('toolkitMessage', 'confirmed'));
    expect(confirmed).toContain('☑️ *GitHub* · ✅ ready');
    expect(confirmed).toContain('Reported by the assistant, accepted by <@U0JORDAN>: ✅ ready · 23 auth files, 127 tests, 82% coverage');
    expect(confirmed).toContain('Coverage 100% of the 85% needed to plan ✅');
    expect(blocksOfType(s('toolkitMessage', 'confirmed'), 'actions')).toEqual([]);
    expect(buttons(s('toolkitMessage', 'confirmed'))).toEqual([]);
  });

  it('below the threshold offers Defer on each counted toolkit, Inspect again and Override coverage', () => {
    const message = s('toolkitMessage', 'belowThreshold');
    const text = visibleText(message);
    expect(text).toContain('☑️ *GitHub* · 🟡 needs data');
    expect(text).toContain(
      'Coverage 25% of the 85% needed to plan · Inspect again, Defer the toolkits this mission does not need, or Override coverage with a reason',
    );
    const found = buttons(message);
    expect(found.filter((b) => b.actionId === ACTION_IDS.toolkitDefer).map((b) => b.value.toolkitId)).toEqual(['github', 'slack']);
    expect(found.map((b) => b.actionId)).toEqual([
      ACTION_IDS.toolkitDefer,
      ACTION_IDS.toolkitDefer,
      ACTION_IDS.toolkitsConfirm,
      ACTION_IDS.toolkitsInspect,
      ACTION_IDS.coverageOverrideOpen,
    ]);
    expect(found.find((b) => b.actionId === ACTION_IDS.coverageOverrideOpen)!.value).toEqual({
      missionId: f.toolkitsBelowThreshold.id,
      version: f.toolkitsBelowThreshold.version,
    });
  });

  it('shows an overridden coverage as an override with who and why, never as a pass', () => {
    const text = visibleText(s('toolkitMessage', 'coverageOverridden'));
    expect(text).toContain('⚠️ *OVERRIDE, not a pass:* coverage 25% of the 85% needed to plan · by <@U0JORDAN>');
    expect(text).toContain('No GitHub token in this workspace; the team reviews the diff by hand.');
    expect(text).not.toContain('✅');
  });
});

describe('gates a person owns', () => {
  it("shows the code review state and an approver's override on the execution status, with the review buttons", () => {
    const message = s('executionStatus', 'gateOverridden');
    const text = visibleText(message);
    expect(text).toContain('Code review: ⏳ required by the brief, none recorded yet');
    expect(text).toContain('⚠️ OVERRIDDEN (mission gate): Code review approved by <@U0ADVISOR>');
    expect(text).toContain('Reviewed in a pairing session; no pull request exists yet.');
    // The code-review check is overridden, so nothing fails and Override gate is not offered again.
    expect(buttons(message).map((b) => b.actionId)).toEqual([ACTION_IDS.reviewApproveOpen, ACTION_IDS.reviewChangesOpen, ACTION_IDS.rollback]);
    expect(buttons(message)[0]!.value).toEqual({ missionId: f.gateOverridden.id, decision: 'approved' });
    // Mid-phase, checks of the mission gate still fail: an approver may override one.
    expect(buttons(s('executionStatus', 'executingMidPhase')).map((b) => b.actionId)).toContain(ACTION_IDS.gateOverrideOpen);
    expect(buttons(s('executionStatus', 'reflecting')).map((b) => b.actionId)).not.toContain(ACTION_IDS.reviewApproveOpen);
  });

  it('lists both overrides in the closing summary, as decisions to go on rather than passes', () => {
    const text = visibleText(s('reflectionMessage', 'withOverrides'));
    expect(text).toContain('*Overrides* · decisions to go on, not passes');
    expect(text).toContain('⚠️ Coverage 25% at Prepare, OVERRIDDEN by <@U0JORDAN>');
    expect(text).toContain('⚠️ Gate check `code_review` OVERRIDDEN by <@U0ADVISOR>');
    expect(visibleText(s('reflectionMessage', 'reflecting'))).not.toContain('OVERRIDDEN');
  });

  it('asks for a reason or a note in each governance modal, carrying what it acts on', () => {
    const coverage = s('modals', 'coverageOverride') as { callback_id: string; private_metadata: string };
    expect(coverage.callback_id).toBe(VIEW_IDS.coverageOverride);
    expect(decodeActionValue(coverage.private_metadata)).toMatchObject({ missionId: f.toolkitsBelowThreshold.id });
    expect(visibleText(s('modals', 'coverageOverride'))).toContain('as an override, never as a pass');
    const review = s('modals', 'requestChanges') as { callback_id: string; private_metadata: string };
    expect(review.callback_id).toBe(VIEW_IDS.recordReview);
    expect(decodeActionValue(review.private_metadata)).toEqual({ missionId: f.executingMidPhase.id, decision: 'changes_requested' });
    const gate = s('modals', 'gateOverride');
    const select = blocksOfType(gate, 'input').find((b) => b.block_id === INPUT_IDS.gateCheck.block)!.element as { options: Array<{ value: string }> };
    // The running phase's failing checks first (its gate would stop it completing), then the mission gate's; never "all phases completed".
    const offered = select.options.map((o) => o.value);
    expect(offered.slice(0, 2)).toEqual(['csrf_protection|tests_reported', 'csrf_protection|no_open_review_alerts']);
    expect(offered).toEqual(expect.arrayContaining(['|code_review', '|no_open_review_alerts']));
    expect(offered.some((v) => v.endsWith('|all_phases_completed'))).toBe(false);
  });
});

describe('plays', () => {
  it('ranks plays with confidence, phases, undo plan and risk matrix, each with Select', () => {
    const message = s('playsMessage', 'playsRanked');
    const text = visibleText(message);
    const selected = f.playsRanked.plays.find((p) => p.status === 'selected')!;
    expect(text).toContain(`*#${selected.rank} Incremental Auth Hardening with Feature Flags* · ☑️ *selected*`);
    expect(text).toContain('*Phases (5)*\n1. JWT Refresh Fix (4 steps)');
    expect(text).toContain('*Undo plan* — Feature flags allow instant rollback per phase.');
    expect(text).toContain('*Reversibility*\nhigh');
    expect(text).toContain('~Complete Auth Rewrite with Next-Auth.js Migration~ — migration_risk: too risky for a 72-hour deadline');
    const selects = buttons(message)
      .filter((b) => b.actionId === ACTION_IDS.playSelect)
      .map((b) => b.value.playId);
    const proposed = f.playsRanked.plays.filter((p) => p.status === 'proposed').map((p) => p.id);
    expect(selects.sort()).toEqual(proposed.sort());
    expect(buttons(message).find((b) => b.actionId === ACTION_IDS.requestApproval)?.value.playId).toBe(selected.id);
  });

  it('marks a rejected play with the reason and offers no buttons outside planning', () => {
    expect(visibleText(s('playsMessage', 'approvalRejected'))).toContain('❌ rejected once: Split the CSRF work into its own mission');
    // Outside planning a play can still be read whole (View plan), but not selected or dismissed.
    const pending = buttons(s('playsMessage', 'approvalPending'));
    expect(pending.length).toBe(f.approvalPending.plays.filter((p) => p.status !== 'dismissed').length);
    expect(pending.every((b) => b.actionId === ACTION_IDS.playView)).toBe(true);
  });

  it('offers View plan and Dismiss on every play while planning, each naming its play', () => {
    const message = s('playsMessage', 'playsRanked');
    const open = f.playsRanked.plays.filter((p) => p.status !== 'dismissed').sort((a, b) => a.rank - b.rank);
    for (const actionId of [ACTION_IDS.playView, ACTION_IDS.playDismiss]) {
      expect(
        buttons(message)
          .filter((b) => b.actionId === actionId)
          .map((b) => b.value.playId),
      ).toEqual(open.map((p) => p.id));
    }
  });
});

describe('how an approved mission runs', () => {
  it('gives the Claude Code line, and the CI dispatch as it stands: dispatching, dispatched with its runs, refused in words', () => {
    const run = surfaces.runInstructions as Record<string, Surface>;
    const id = f.approvalDecided.id;
    for (const surface of Object.values(run))
      expect(visibleText(surface)).toContain(`\`Run Mission Control mission ${id} (use the mission-control MCP server)\``);
    expect(visibleText(run.approvedNoExecutor!)).toContain('no executor dispatched this mission');
    expect(visibleText(run.dispatching!)).toContain('⏳ dispatching GitHub Actions workflow `mission.yml`');
    expect(visibleText(run.dispatching!)).toContain('only if the CI run below does not take it');
    expect(visibleText(run.dispatched!)).toContain('<https://github.com/jordan-nakamura/legaltech-mvp/actions/workflows/mission.yml|its runs>');
    expect(visibleText(run.dispatchFailed!)).toContain('❌ GitHub found no workflow');
    expect(visibleText(run.dispatchFailed!)).not.toContain('only if the CI run');
    expect(visibleText(run.reflecting!)).toContain('How this mission ran');
  });
});

describe('approval request', () => {
  it('names the approvers the policy needs (not the requester of a critical play), with Approve and Reject', () => {
    const message = s('approvalMessage', 'approvalPending');
    const text = visibleText(message);
    expect(text).toContain(`*Approvers:* <@${ADVISOR.id}>, <@${SECURITY_LEAD.id}> — 2 more approvals needed`);
    expect(text).not.toContain(`*Approvers:* <@${JORDAN.id}>`);
    expect(text).toContain('🔴 Critical');
    const request = f.approvalPending.approval!;
    expect(buttons(message).map((b) => [b.text, b.actionId, b.value])).toEqual([
      ['Approve', ACTION_IDS.approvalApprove, { missionId: f.approvalPending.id, requestId: request.id, playId: request.playId }],
      ['Reject', ACTION_IDS.approvalReject, { missionId: f.approvalPending.id, requestId: request.id, playId: request.playId }],
      ['View plan', ACTION_IDS.playView, { missionId: f.approvalPending.id, requestId: request.id, playId: request.playId }],
    ]);
    expect(visibleText(s('approvalMessage', 'approvalPartial'))).toContain(`✅ Approved by <@${ADVISOR.id}>`);
  });

  it('after the decision: no buttons, and who decided and when', () => {
    const decided = s('approvalMessage', 'approvalDecided');
    expect(blocksOfType(decided, 'actions')).toEqual([]);
    const at = Math.floor(Date.parse(f.approvalDecided.approval!.decidedAt!) / 1000);
    expect(visibleText(decided)).toContain(`*Approved* by <@${ADVISOR.id}> and <@${SECURITY_LEAD.id}> <!date^${at}^`);
    const rejected = s('approvalMessage', 'approvalRejected');
    expect(blocksOfType(rejected, 'actions')).toEqual([]);
    expect(visibleText(rejected)).toContain(`*Rejected* by <@${SECURITY_LEAD.id}>`);
    expect(visibleText(rejected)).toContain(': Split the CSRF work into its own mission; this is too much for one change.');
    expect(blocksOfType(s('approvalMessage', 'cancelled'), 'actions')).toEqual([]);
  });
});

describe('approval request sent to an approver directly', () => {
  it("has the thread message's Approve and Reject buttons, says why this person got it and where the mission lives", () => {
    const inChannel = s('approvalDirectMessage', 'pendingHomeInChannel');
    expect(buttons(inChannel)).toEqual(buttons(s('approvalMessage', 'approvalPending')));
    expect((inChannel as { text: string }).text).toMatch(/^Your approval is requested: /);
    expect(visibleText(inChannel)).toContain('the approval policy names you as an approver');
    expect(visibleText(inChannel)).toContain("The mission's thread is in <#C0MISSIONS> (<https://fake.slack.com/archives/C0MISSIONS/");
    expect(visibleText(s('approvalDirectMessage', 'pendingHomeInDm'))).toContain('The requester follows the mission in a direct message with Mission Control.');
    expect(visibleText(s('approvalDirectMessage', 'pendingNoHome'))).toContain('The mission has no Slack thread');
  });

  it('after the decision: the outcome, no buttons', () => {
    const decided = s('approvalDirectMessage', 'decided');
    expect(blocksOfType(decided, 'actions')).toEqual([]);
    expect(visibleText(decided)).toContain('This request is closed.');
    expect(visibleText(decided)).toContain(`*Approved* by <@${ADVISOR.id}> and <@${SECURITY_LEAD.id}>`);
  });
});

describe('live execution status', () => {
  it('marks done, running and pending steps, with tests, coverage, gates, auto-fixes and the open alert', () => {
    const text = visibleText(s('executionStatus', 'executingMidPhase'));
    expect(text).toContain('✅ *[1/5] JWT Refresh Fix* · completed');
    expect(text).toContain('✓ Add unit tests for JWT refresh (15.6s) · tests added 12');
    expect(text).toContain('➕ Added rate limiting to refresh attempts (4.1s, not in the play)');
    expect(text).toContain('🔄 *[3/5] CSRF Protection* · running');
    expect(text).toContain('🔄 Add CSRF validation to the middleware chain — running');
    expect(text).toContain('◻️ Include CSRF tokens in frontend requests');
    expect(text).toContain('◻️ *[4/5] Error Handling Centralization* · pending · 5 steps');
    expect(text).toContain('*Tests*\n147/147 passing');
    expect(text).toContain('*Coverage*\n88% (target 90%)');
    expect(text).toContain('Gate ✅ All tests passing, No open review alerts');
    expect(text).toContain('🔧 Auto-fix applied (JWT Refresh Fix): Added exponential backoff for refresh retries');
    expect(text).toContain('⚠️ Review required (CSRF Protection, medium)');
  });

  it('marks the failed phase and where it stopped', () => {
    const text = visibleText(s('executionStatus', 'executionFailedPhase'));
    expect(text).toContain('❌ *[2/5] Token Revocation* · failed');
    expect(text).toContain('❌ Migration locks auth.sessions for 40 s');
    expect(text).toContain('❌ Add middleware check against revocation list — not done: the phase failed here');
    expect(text).toContain('🧪 3 of 141 failing');
  });

  it('keeps the undo bar with Rollback while executing, and drops it after completion', () => {
    for (const name of ['approvalDecided', 'executingMidPhase', 'executionFailedPhase']) {
      const rollback = buttons(s('executionStatus', name)).filter((b) => b.actionId === ACTION_IDS.rollback);
      expect(rollback).toHaveLength(1);
      expect(visibleText(s('executionStatus', name))).toContain('↩️ *Undo available*');
    }
    const completed = s('executionStatus', 'reflecting');
    expect(buttons(completed)).toEqual([]);
    expect(visibleText(completed)).not.toContain('Undo available');
    expect(visibleText(completed)).toContain('*Mission gate* ✅ passed');
    expect(visibleText(completed)).toContain('✅ Coverage ≥ 90% — 92% measured');
    const rolledBack = visibleText(s('executionStatus', 'rolledBack'));
    expect(rolledBack).toContain(`↩️ *Rolled back* by <@${JORDAN.id}>`);
    expect(rolledBack).toContain('✅ Close PR and delete branch — PR #48 closed, branch deleted');
    expect(rolledBack).toContain('✋ Disable feature flags');
    expect(buttons(s('executionStatus', 'rolledBack'))).toEqual([]);
  });
});

describe('review alert reply', () => {
  it('offers Resolve and Block carrying the alert id, then records who resolved it', () => {
    const alertId = openAlertId(f);
    const open = s('alertMessage', 'open');
    expect(buttons(open).map((b) => [b.text, b.actionId, b.value])).toEqual([
      ['Resolve', ACTION_IDS.alertResolve, { missionId: f.executingMidPhase.id, alertId, outcome: 'accepted' }],
      ['Block', ACTION_IDS.alertBlock, { missionId: f.executingMidPhase.id, alertId, outcome: 'blocked' }],
    ]);
    const resolved = s('alertMessage', 'resolved');
    expect(buttons(resolved)).toEqual([]);
    expect(visibleText(resolved)).toContain(`✔️ Resolved by <@${JORDAN.id}>`);
  });
});

describe('reflection summary', () => {
  it('lists the evidence bundle with names, sha256 prefixes and links, and asks for feedback', () => {
    const message = s('reflectionMessage', 'reflecting');
    const text = visibleText(message);
    const bundle = f.reflecting.evidence.bundle!;
    expect(text).toContain(`*Evidence bundle* · 8 artifacts · manifest \`${bundle.manifestSha256.slice(0, 12)}\``);
    for (const artifact of f.reflecting.evidence.artifacts) expect(text).toContain(`\`${artifact.sha256.slice(0, 12)}\``);
    expect(text).toContain('<https://github.com/jordan-nakamura/legaltech-mvp/pull/47|GitHub Pull Request #47>');
    expect(buttons(message).map((b) => b.actionId)).toEqual([ACTION_IDS.feedbackOpen, ACTION_IDS.closeMission]);
  });

  it('lists follow-ups with links, offers Pin to library with tags once rated, and settles when done', () => {
    const rated = s('reflectionMessage', 'feedbackGiven');
    expect(visibleText(rated)).toContain('• Add rate limiting to login endpoint · medium · open · <https://linear.app/acme/issue/ENG-124|ENG-124>');
    expect(visibleText(rated)).toContain('Suggested tags: `api` `authentication`');
    expect(buttons(rated).map((b) => b.actionId)).toEqual([ACTION_IDS.pinOpen, ACTION_IDS.closeMission]);
    const done = s('reflectionMessage', 'done');
    expect(buttons(done)).toEqual([]);
    expect(visibleText(done)).toContain('📌 pinned as');
    expect(visibleText(done)).toContain('`csrf-protection`');
  });
});

describe('modals', () => {
  it('carry their callback id and the mission in private_metadata', () => {
    const modals = surfaces.modals as Record<string, Extract<Surface, { type: 'modal' }>>;
    expect(Object.fromEntries(Object.entries(modals).map(([name, v]) => [name, v.callback_id]))).toEqual({
      chipEdit: VIEW_IDS.chipEdit,
      rejectReason: VIEW_IDS.rejectApproval,
      resolveAlert: VIEW_IDS.resolveAlert,
      blockAlert: VIEW_IDS.resolveAlert,
      rollback: VIEW_IDS.rollback,
      cancelMission: VIEW_IDS.cancelMission,
      feedback: VIEW_IDS.feedback,
      pinToLibrary: VIEW_IDS.pinToLibrary,
      coverageOverride: VIEW_IDS.coverageOverride,
      approveReview: VIEW_IDS.recordReview,
      requestChanges: VIEW_IDS.recordReview,
      gateOverride: VIEW_IDS.gateOverride,
      playPlan: VIEW_IDS.playPlan,
      dismissPlay: VIEW_IDS.dismissPlay,
    });
    expect(decodeActionValue(modals.rejectReason!.private_metadata)).toEqual({
      missionId: f.approvalPending.id,
      requestId: f.approvalPending.approval!.id,
      playId: f.approvalPending.approval!.playId,
    });
    expect(decodeActionValue(modals.blockAlert!.private_metadata)).toMatchObject({ alertId: openAlertId(f), outcome: 'blocked' });
  });

  it('shows the play an approver decides on: every phase with its steps, the undo plan, the risk matrix and the code change', () => {
    const modal = (surfaces.modals as Record<string, Extract<Surface, { type: 'modal' }>>).playPlan!;
    const play = f.approvalPending.plays.find((p) => p.id === f.approvalPending.approval!.playId)!;
    const text = visibleText(modal);
    expect(modal.submit).toBeUndefined();
    for (const [i, phase] of play.phases.entries()) {
      expect(text).toContain(`*Phase ${i + 1}: ${phase.name.replace(/&/g, '&amp;')}*`);
      for (const step of phase.steps) expect(text).toContain(`\`${step.id}\``);
    }
    for (const step of play.undoPlan.steps) expect(text).toContain(step);
    expect(text).toContain(`*Reversibility*\n${play.risk.reversibility}`);
    expect(text).toContain(`*Code change preview* — ${play.codeChangePreview!.filesToModify} modified`);
    expect(text).toContain(`mission://${f.approvalPending.id}/plan.md`);
    expect(decodeActionValue(modal.private_metadata)).toEqual({ missionId: f.approvalPending.id, playId: play.id });
  });

  it('cuts a plan longer than a modal holds, within Block Kit limits, pointing at PLAN.md', () => {
    const base = f.approvalPending.plays[0]!;
    const phases = Array.from({ length: 140 }, (_, i) => ({
      id: `phase_${i}`,
      name: `Phase number ${i}`,
      steps: Array.from({ length: 30 }, (_, j) => ({ id: `step_${i}_${j}`, title: 'x'.repeat(200) })),
    }));
    const modal = playPlanModal(f.approvalPending, {
      ...base,
      status: 'selected',
      phases,
      undoPlan: { summary: 'Undo', steps: Array.from({ length: 200 }, (_, i) => `undo step ${i} ${'y'.repeat(100)}`) },
    });
    expect(checkBlockKitLimits(modal)).toEqual([]);
    const text = visibleText(modal);
    expect(text).toContain('more phases. The whole plan: PLAN.md');
    expect(text).toContain('more steps');
    // PLAN.md is the selected play's: a play not selected says how to read it there.
    expect(visibleText(playPlanModal(f.approvalPending, { ...base, status: 'proposed', phases }))).toContain('Select this play to read it whole as PLAN.md');
  });

  it('edits a chip one statement per input, prefilled, with spare rows', () => {
    const modal = s('modals', 'chipEdit');
    const inputs = blocksOfType(modal, 'input') as Array<{ block_id: string; element: { action_id: string; initial_value?: string } }>;
    const items = f.briefEdited.brief.chips.find((c) => c.kind === 'safeguards')!.items;
    expect(inputs).toHaveLength(items.length + 3);
    expect(inputs.slice(0, items.length).map((i) => i.element.initial_value)).toEqual(items);
    expect(inputs.every((i) => i.element.action_id === INPUT_IDS.chipItem && i.block_id.startsWith(INPUT_IDS.chipItemBlockPrefix))).toBe(true);
  });

  it('asks feedback for rating, effort saved and comments, and prefills tags for the library', () => {
    const feedback = blocksOfType(s('modals', 'feedback'), 'input').map((b) => b.block_id);
    expect(feedback).toEqual([INPUT_IDS.rating.block, INPUT_IDS.effortSaved.block, INPUT_IDS.comments.block, INPUT_IDS.improvements.block]);
    const tags = blocksOfType(s('modals', 'pinToLibrary'), 'input')[0] as { element: { initial_value: string } };
    expect(tags.element.initial_value).toBe(f.reflecting.tags.join(', '));
  });
});

describe('App Home', () => {
  it('lists approvals waiting for the viewer, with the same Approve and Reject actions', () => {
    const home = s('appHome', 'advisorWithApprovalWaiting');
    expect(visibleText(home)).toContain('*Waiting for your approval (1)*');
    expect(buttons(home).map((b) => [b.actionId, b.value.requestId])).toEqual([
      [ACTION_IDS.approvalApprove, f.approvalPending.approval!.id],
      [ACTION_IDS.approvalReject, f.approvalPending.approval!.id],
    ]);
    expect(visibleText(s('appHome', 'requester'))).toContain('*Your missions (7)*');
  });

  it('knows who may still decide: not the requester of a critical play, not someone who already approved', () => {
    expect(isAwaitingApprovalFrom(f.approvalPending, ADVISOR.id)).toBe(true);
    expect(isAwaitingApprovalFrom(f.approvalPending, JORDAN.id)).toBe(false);
    expect(isAwaitingApprovalFrom(f.approvalPartial, ADVISOR.id)).toBe(false);
    expect(isAwaitingApprovalFrom(f.approvalPartial, SECURITY_LEAD.id)).toBe(true);
    expect(isAwaitingApprovalFrom(f.approvalDecided, SECURITY_LEAD.id)).toBe(false);
    expect(appHome({ userId: JORDAN.id, myMissions: [], awaitingMyApproval: [] }).blocks.length).toBeGreaterThan(0);
  });
});

describe('/mission status', () => {
  it('summarises every stage and says what can happen next', () => {
    const status = surfaces.missionStatus!;
    expect(Object.keys(status).sort()).toEqual(
      Object.keys(f)
        .filter((k) => k !== 'summaries')
        .sort(),
    );
    expect(visibleText(status.executingMidPhase!)).toContain('*Execution*\n2 of 5 phases completed · CSRF Protection running');
    // Next names the Slack control for each step a person takes (the same steps `next` gives over MCP), and who may take it.
    expect(visibleText(status.approvalPending!)).toContain(
      `*Next:* *Approve / Reject* on the approval request message (<@${ADVISOR.id}>, <@${SECURITY_LEAD.id}>) · \`/mission cancel ${f.approvalPending.id}\``,
    );
    expect(visibleText(status.approvalPending!)).toContain('_by the assistant over MCP:_ wait for approval');
    expect(visibleText(status.playsRanked!)).toContain('*Dismiss…* on each play of the plays message');
    expect(visibleText(status.briefDrafted!)).toContain('*Edit / Regenerate* on each chip of the brief card');
    expect(visibleText(status.done!)).toContain('*Finished:* the mission is done; no further steps.');
  });
});

describe('finished missions', () => {
  const ENDED = [
    ['cancelledMidPhase', 'was cancelled'],
    ['failedMidPhase', 'failed'],
    ['rolledBackMidPhase', 'was rolled back'],
  ] as const;
  // Words of work still going on, or of someone still expected to act.
  const ONGOING = /\brunning\b|waiting|in progress|so far|needs review|🔄/i;

  it.each(ENDED)('%s: the status message, the status reply and the alert speak of a mission that %s, not of work going on', (stage, ended) => {
    const mission = f[stage];
    const status = s('executionStatus', stage);
    const statusReply = s('missionStatus', stage);
    const alert = alertMessage(mission, mission.execution!.alerts[0]!.id);
    for (const surface of [status, statusReply, alert]) {
      expect(visibleText(surface)).not.toMatch(ONGOING);
      expect('text' in surface ? surface.text : '').not.toMatch(ONGOING);
      expect(buttons(surface)).toEqual([]);
    }
    // The phase that was running when the mission ended is shown as stopped, and why.
    expect(visibleText(status)).toContain(`⏹️ *[1/5] JWT Refresh Fix* · stopped: the mission ${ended}`);
    expect(visibleText(status)).toContain(`— not done: the mission ${ended}`);
    expect(visibleText(status)).toContain(`— left open: the mission ${ended}`);
    expect(visibleText(statusReply)).toContain('stopped during JWT Refresh Fix');
    expect(visibleText(statusReply)).toContain(`*Finished:* the mission ${ended}; no further steps.`);
    expect(visibleText(statusReply)).toContain('*Alerts*\n1 left open');
  });

  it('still says "running" and "waiting for a person" while the mission executes', () => {
    expect(visibleText(s('executionStatus', 'executingMidPhase'))).toMatch(/🔄 .* — running/);
    expect(visibleText(s('executionStatus', 'executingMidPhase'))).toContain('waiting for a person');
  });

  it('lists finished missions on the App Home by how they ended', () => {
    const home = visibleText(s('appHome', 'requester'));
    expect(home).toContain(`🚫 Cancelled · *${f.cancelledMidPhase.title}* · \`${f.cancelledMidPhase.id}\``);
    expect(home).toContain(`❌ Failed · *${f.failedMidPhase.title}* · \`${f.failedMidPhase.id}\``);
    expect(home).toContain(`↩️ Rolled back · *${f.rolledBackMidPhase.title}* · \`${f.rolledBackMidPhase.id}\``);
    // ("Waiting for your approval" heads the approvals section; the missions' own lines say how each ended.)
    const missionLines = home.split('\n').filter((line) => /`msn_\d{4}`/.test(line));
    expect(missionLines).toHaveLength(7);
    for (const line of missionLines) expect(line).not.toMatch(ONGOING);
  });

  it('drops "so far" from the edit count once the brief can no longer change', () => {
    expect(visibleText(s('briefCard', 'cancelled'))).toMatch(/2 edits$/m);
    expect(visibleText(s('briefCard', 'briefEdited'))).toContain('2 edits so far');
  });
});

describe('dates', () => {
  it('shows every time as a Slack date token (each reader’s time zone), never as an ISO string', () => {
    for (const [file, cases] of Object.entries(surfaces)) {
      for (const [name, surface] of Object.entries(cases)) {
        const shown = visibleText(surface);
        expect(shown, `${file}.${name}`).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
        expect('text' in surface ? surface.text : '', `${file}.${name} text`).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|<!date/);
      }
    }
    expect(visibleText(s('executionStatus', 'rolledBack'))).toMatch(/<!date\^\d+\^\{date_short_pretty\} at \{time\}\|2025-10-15 \d\d:\d\d UTC>/);
  });

  it('turns the instants in a refusal shown on the App Home into date tokens', () => {
    const home = s('appHome', 'refusedClick');
    const decidedAt = new Date(f.approvalDecided.approval!.decidedAt!);
    expect(visibleText(home)).toContain(`already approved by <@${SECURITY_LEAD.id}> at <!date^${decidedAt.getTime() / 1000}^{date_short_pretty} at {time}|`);
    expect(visibleText(home).split('\n')[1]).toMatch(/^⚠️ This approval request was already approved/);
  });
});
