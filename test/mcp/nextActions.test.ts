// What an assistant is told to do next, as Claude Code would see it: the SDK's own Client over
// Streamable HTTP against a started server. Every tool's structured result carries `next`
// (validated by the client against the tool's listed output schema), links the mission's
// resources that exist at its stage, and every action next can offer has a front door: an MCP
// tool this server lists, or a Slack control with a registered handler. People's decisions
// (approve, resolve an alert, rate) are made through the service, standing in for Slack,
// whose controls are driven with signed requests in test/slack.
import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, ResourceLink, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { App as BoltApp } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/domain/actors.js';
import { NEXT_STEP_ACTIONS, type NextStepAction } from '../../src/domain/nextSteps.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { TOOL_FOR_ACTION, type NextView } from '../../src/mcp/nextActions.js';
import { allowedHostsFor, createMcpHttpEndpoint, type McpHttpEndpoint } from '../../src/mcp/streamableHttp.js';
import { registerActionHandlers } from '../../src/slack/actionHandlers.js';
import { MISSION_COMMAND, registerCommandHandlers } from '../../src/slack/commandHandlers.js';
import { parseMissionCommand } from '../../src/slack/missionCommandText.js';
import { SLACK_CONTROL_FOR_ACTION } from '../../src/slack/nextStepControls.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { burstPlay } from '../support/systemHarness.js';
import { signOffTruths } from '../support/seedJourney.js';
import { silentLogger } from './mcpHarness.js';

const SECRET = 'next-steps-secret-0123456789abcdef';
const ADVISOR: Actor = { kind: 'slack_user', id: 'U0ADVISOR' };
const JORDAN: Actor = { kind: 'slack_user', id: 'U0JORDAN' };
// A brief whose gates an assistant can meet alone: tests and coverage, no person's code review.
const CHIPS = [
  { kind: 'objective', items: ['Make session refresh survive a token expiry mid-request'], confidence: 'high' },
  { kind: 'scope', items: ['Session refresh middleware'], confidence: 'high' },
  { kind: 'acceptance_criteria', items: ['A request during refresh succeeds'], confidence: 'high' },
  { kind: 'kpis', items: ['Test coverage at least 80%'], confidence: 'high' },
  { kind: 'safeguards', items: ['All tests must pass before merge', 'Code review required before merge'], confidence: 'high' },
  { kind: 'timeline', items: ['This week'], confidence: 'medium' },
];

interface Answer {
  tool: string;
  result: CallToolResult;
  next: NextView;
  links: ResourceLink[];
}

describe.each(PROVIDERS)('next steps over Streamable HTTP on %s', (provider) => {
  let app: App;
  let endpoint: McpHttpEndpoint;
  let server: Server;
  let client: Client;
  let tools: Tool[];
  let cleanup: () => Promise<void>;
  const answers: Answer[] = [];

  beforeEach(async () => {
    answers.length = 0;
    const database = freshDatabaseUrl(provider);
    const config = loadConfig({
      DATABASE_URL: database.url,
      SLACK_APPROVERS: 'U0ADVISOR',
      APPROVALS_REQUIRED: 'low:1,medium:1,high:1,critical:1',
      MCP_TOKENS: `claude-code-jordan:${SECRET}:U0JORDAN`,
    });
    app = await createApp(config, silentLogger);
    endpoint = createMcpHttpEndpoint({
      service: app.missions,
      logger: silentLogger,
      authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
      readOnly: false,
      allowedHosts: allowedHostsFor('127.0.0.1', []),
    });
    server = createHttpServer(app, endpoint.routes);
    const { port } = await listen(server, '127.0.0.1', 0);
    client = new Client({ name: 'next-steps-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${SECRET}` } } }),
    );
    // Listing the tools makes the client validate every structuredContent against its output schema.
    tools = (await client.listTools()).tools;
    cleanup = async () => {
      await client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await endpoint.close();
      await app.close();
      await database.cleanup();
    };
  });
  afterEach(async () => {
    await cleanup();
  });

  /** Calls a tool that must succeed; keeps its answer for the checks on every answer. */
  async function call<T = Record<string, unknown>>(tool: string, args: Record<string, unknown>): Promise<T & { next: NextView }> {
    const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
    if (result.isError) throw new Error(`${tool} was refused: ${JSON.stringify(result.content)}`);
    const structured = result.structuredContent as T & { next: NextView };
    answers.push({ tool, result, next: structured.next, links: result.content.filter((c): c is ResourceLink => c.type === 'resource_link') });
    return structured;
  }

  const actionsOf = (next: NextView) => next.steps.map((s) => s.action);
  const linksOf = (tool: string) => answers.filter((a) => a.tool === tool).map((a) => a.links.map((l) => l.uri));

  /** Intent to execution over MCP; the approver approves as a person would in Slack. Returns the mission and the play. */
  async function toExecuting(intent: string): Promise<{ id: string; playId: string }> {
    const { mission } = await call<{ mission: { id: string } }>('start_mission', { intent, channelId: 'C0MISSIONS', chips: CHIPS });
    await call('update_brief', { missionId: mission.id, lock: true });
    await call('select_toolkits', {
      missionId: mission.id,
      toolkits: [{ toolkitId: 'github' }],
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'inspected' }],
    });
    await app.missions.acceptReportedCoverage({ missionId: mission.id }, { kind: 'slack_user', id: 'U0JORDAN' });
    await call('select_toolkits', { missionId: mission.id });
    const { proposed } = await call<{ proposed: string[] }>('propose_plays', { missionId: mission.id, plays: [burstPlay(1, 1)] });
    await call('request_approval', { missionId: mission.id, playId: proposed[0] });
    await app.missions.decideApproval({ missionId: mission.id, decision: 'approve' }, ADVISOR);
    return { id: mission.id, playId: proposed[0]! };
  }

  it('answers every tool with next, valid against its listed output schema, through a whole mission', async () => {
    // Define: the brief, then Prepare below and at the coverage threshold.
    const { mission } = await call<{ mission: { id: string } }>('start_mission', {
      intent: 'Make session refresh survive a token expiry',
      channelId: 'C0MISSIONS',
      chips: CHIPS,
    });
    const id = mission.id;
    expect(actionsOf(answers[0]!.next)).toEqual(['edit_brief', 'lock_brief', 'cancel']);
    const locked = await call('update_brief', { missionId: id, lock: true });
    expect(actionsOf(locked.next)).toEqual(['select_toolkits', 'reopen_brief', 'cancel']);
    const low = await call('select_toolkits', { missionId: id, toolkits: [{ toolkitId: 'github' }], confirm: false });
    expect(actionsOf(low.next)).toEqual(expect.arrayContaining(['record_coverage', 'inspect_toolkits', 'defer_toolkit', 'override_coverage']));
    expect(low.next.steps.find((s) => s.action === 'override_coverage')).toMatchObject({
      who: 'person',
      tool: null,
      slack: '"Override coverage" on the toolkits message in Slack',
    });
    expect(low.next.steps.find((s) => s.action === 'defer_toolkit')).toMatchObject({ who: 'either', tool: 'select_toolkits' });
    const reported = await call('select_toolkits', {
      missionId: id,
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'inspected' }],
      confirm: false,
    });
    expect(reported.next.steps.find((s) => s.action === 'accept_reported_coverage')).toMatchObject({
      who: 'person',
      tool: null,
      slack: '"Accept reported coverage" on the toolkits message in Slack',
    });
    // A person accepts the assistant's report in Slack; then the assistant may confirm.
    await app.missions.acceptReportedCoverage({ missionId: id }, { kind: 'slack_user', id: 'U0JORDAN' });
    const full = await call('select_toolkits', { missionId: id, confirm: false });
    expect(full.next.steps.find((s) => s.action === 'confirm_toolkits')).toMatchObject({
      tool: 'select_toolkits',
      slack: '"Confirm toolkits" on the toolkits message in Slack',
    });
    const planning = await call<{ mission: { plays: Array<{ id: string }> } }>('select_toolkits', { missionId: id, confirm: true });

    // Plan & Approve: the planner's play is dismissed, ours is proposed and approved by a person.
    const dismissed = await call('dismiss_play', { missionId: id, playId: planning.mission.plays[0]!.id, reason: 'Too broad for this fix' });
    expect(dismissed).toMatchObject({ play: { status: 'dismissed', dismissedReason: 'Too broad for this fix' } });
    // One observable truth, so completion waits for a person's UAT sign-off.
    const play = { ...burstPlay(1, 2), mustHaves: { truths: ['A refresh after expiry keeps the session'], artifacts: [], keyLinks: [] } };
    const { proposed } = await call<{ proposed: string[] }>('propose_plays', { missionId: id, plays: [play] });
    const requested = await call('request_approval', { missionId: id, playId: proposed[0] });
    expect(requested.next.waitingFor).toMatch(/^1 more approval from U0ADVISOR \(expires /);
    expect(requested.next.steps.find((s) => s.action === 'approve')).toMatchObject({
      who: 'person',
      tool: null,
      slack: '"Approve / Reject" on the approval request message in Slack',
      people: ['U0ADVISOR'],
    });
    expect((await call('wait_for_approval', { missionId: id, timeoutSeconds: 0 })).status).toBe('pending');
    await app.missions.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
    const approved = await call('wait_for_approval', { missionId: id, timeoutSeconds: 0 });
    expect(approved.next.steps[0]).toMatchObject({ action: 'start_phase', who: 'assistant', tool: 'report_progress', slack: null });

    // Execute: a review alert waits for a person; then evidence, the gate and completion.
    await call('report_progress', { missionId: id, kind: 'phase_started', phaseId: 'phase_1' });
    await call('report_progress', { missionId: id, kind: 'step_completed', phaseId: 'phase_1', stepId: 'p1_step_1', durationMs: 1000 });
    await call('report_progress', { missionId: id, kind: 'step_completed', phaseId: 'phase_1', stepId: 'p1_step_2', durationMs: 1000 });
    await call('report_progress', { missionId: id, kind: 'test_run', phaseId: 'phase_1', total: 12, passing: 12, coverage: 0.86 });
    const alerted = await call<{ alert: { id: string } }>('report_progress', {
      missionId: id,
      kind: 'validator_alert',
      phaseId: 'phase_1',
      type: 'review_required',
      severity: 'medium',
      description: 'Retry budget needs a decision',
    });
    expect(alerted.next.waitingFor).toBe(`a person to resolve 1 review alert(s) in Slack (${alerted.alert.id})`);
    expect(alerted.next.steps[0]).toMatchObject({
      action: 'resolve_alert',
      who: 'person',
      tool: null,
      slack: '"Resolve / Block" on each review alert message in Slack',
    });
    await app.missions.resolveAlert({ missionId: id, alertId: alerted.alert.id, outcome: 'accepted', note: 'Three retries is fine' }, JORDAN);
    const evidence = await call('attach_evidence', { missionId: id, phaseId: 'phase_1', name: 'Test report', kind: 'markdown', content: '# 12/12 passing\n' });
    expect(actionsOf(evidence.next)).toEqual(['report_progress', 'record_review', 'attach_evidence', 'request_rollback']);
    const phaseDone = await call('report_progress', { missionId: id, kind: 'phase_completed', phaseId: 'phase_1' });
    expect(phaseDone.next.steps.find((s) => s.action === 'complete_mission')).toMatchObject({ who: 'either', tool: 'complete_mission' });
    // The brief asks for code review: only a person can record it or have an approver override the check.
    expect(phaseDone.next.steps.find((s) => s.action === 'record_review')).toMatchObject({
      who: 'person',
      tool: null,
      slack: '"Approve review / Request changes" on the execution status message in Slack',
    });
    expect(phaseDone.next.steps.find((s) => s.action === 'override_gate')).toMatchObject({ who: 'person', tool: null });
    expect(phaseDone.next.steps.find((s) => s.action === 'override_gate')!.why).toContain('Code review approved');
    // Every phase is done and the truth is unsigned: the mission waits for a person's UAT sign-off in Slack.
    expect(phaseDone.next.waitingFor).toBe('a person to sign off 1 observable truth(s) on the UAT message in Slack (truth_1)');
    expect(phaseDone.next.steps.find((s) => s.action === 'sign_off_uat')).toMatchObject({
      who: 'person',
      tool: null,
      slack: '"Pass / Fail" on each item of the UAT message in Slack',
    });
    await app.missions.recordReview({ missionId: id, decision: 'approved', note: 'Read the diff; the retry path is tested' }, JORDAN);
    await signOffTruths(app.missions, id);
    expect(actionsOf((await call('get_mission', { missionId: id })).next)).not.toContain('sign_off_uat');
    const completed = await call('complete_mission', { missionId: id });
    expect(actionsOf(completed.next)).toEqual(['submit_feedback', 'add_follow_up', 'submit_retrospective']);

    // Reflect: the requester rates it in Slack; the assistant files a follow-up and the retrospective.
    await app.missions.submitFeedback({ missionId: id, rating: 5, effortSavedHours: 3 }, JORDAN);
    const followUp = await call('add_follow_up', { missionId: id, title: 'Rate-limit the refresh endpoint', priority: 'medium' });
    expect(actionsOf(followUp.next)).toEqual(['add_follow_up', 'pin_to_library', 'submit_retrospective']);
    expect(followUp.next.steps.find((s) => s.action === 'pin_to_library')).toMatchObject({
      who: 'person',
      tool: null,
      slack: '"Pin to library" on the reflection message in Slack',
    });
    const retro = await call('submit_retrospective', { missionId: id, wentWell: ['Small steps'], toImprove: ['Earlier review'] });
    expect(retro).toMatchObject({ mission: { state: 'done' }, next: { waitingFor: null, steps: [] } });

    // Reads: one mission has its next; tools about no single mission point at get_mission and start_mission.
    expect((await call('get_mission', { missionId: id })).next).toEqual(retro.next);
    for (const tool of ['list_missions', 'search_library']) {
      const answer = await call(tool, {});
      expect(answer.next.steps.map((s) => s.tool)).toEqual(['get_mission', 'start_mission']);
    }
    expect(await call('verify_event_log', { missionId: id, full: true })).toMatchObject({ ok: true, checkedFromSeq: 0 });

    // A second mission is rolled back, a third cancelled by the assistant.
    const second = await toExecuting('Roll back a half-done refresh change');
    const rolledBack = await call('request_rollback', { missionId: second.id, reason: 'The flag misbehaves in staging' });
    expect(rolledBack).toMatchObject({ mission: { state: 'rolled_back' }, next: { waitingFor: null, steps: [] } });
    const third = await call<{ mission: { id: string } }>('start_mission', { intent: 'A mission nobody needs after all' });
    const cancelled = await call('cancel_mission', { missionId: third.mission.id, reason: 'The user changed their mind' });
    expect(cancelled).toMatchObject({ mission: { state: 'cancelled' }, reason: 'The user changed their mind', next: { steps: [] } });

    // Every tool this server lists was called, and every answer carries next valid against its listed schema.
    expect(new Set(answers.map((a) => a.tool))).toEqual(new Set(tools.map((t) => t.name)));
    const validator = new AjvJsonSchemaValidator();
    for (const answer of answers) {
      const listed = tools.find((t) => t.name === answer.tool)!;
      expect(listed.outputSchema, answer.tool).toMatchObject({ required: expect.arrayContaining(['next']), properties: { next: { type: 'object' } } });
      const check = validator.getValidator(listed.outputSchema as never)(answer.result.structuredContent);
      expect(check, answer.tool).toMatchObject({ valid: true });
    }

    // Every action offered along the way has a front door this server or Slack provides.
    const toolNames = new Set(tools.map((t) => t.name));
    for (const step of answers.flatMap((a) => a.next.steps)) {
      if (step.tool !== null) expect(toolNames, `${step.action} -> ${step.tool}`).toContain(step.tool);
      if (step.who === 'person') expect(step.slack, step.action).not.toBeNull();
      if (step.who === 'assistant') expect(step.tool, step.action).not.toBeNull();
      expect(step.tool ?? step.slack, step.action).not.toBeNull();
      expect(JSON.stringify(step), step.action).not.toMatch(/<[@!#]/);
    }
    // ...and the journey reached every action the domain can offer, so the mapping test below covers what users meet.
    expect(new Set(answers.flatMap((a) => actionsOf(a.next)).filter((a) => (NEXT_STEP_ACTIONS as readonly string[]).includes(a)))).toEqual(
      new Set(NEXT_STEP_ACTIONS),
    );
  }, 60_000);

  it('links the mission resources that exist at each stage, and resources/read serves every link', async () => {
    const { id } = await toExecuting('Make session refresh survive a token expiry');
    const base = `mission://${id}`;
    expect(linksOf('start_mission')[0]).toEqual([base, `${base}/events`]);
    expect(linksOf('propose_plays')[0]).toEqual([base, `${base}/plan.md`, `${base}/events`]);
    const started = await call('report_progress', { missionId: id, kind: 'phase_started', phaseId: 'phase_1' });
    expect(started.next.steps[0]!.tool).toBe('report_progress');
    expect(linksOf('report_progress')[0]).toEqual([base, `${base}/plan.md`, `${base}/summary.md`, `${base}/verification.md`, `${base}/events`]);
    await call('attach_evidence', { missionId: id, name: 'notes', kind: 'markdown', content: '# Notes\n' });
    const rolledBack = await call('request_rollback', { missionId: id, reason: 'Stop here' });
    expect(rolledBack.next.steps).toEqual([]);

    const links = answers.flatMap((a) => a.links);
    for (const link of links) {
      expect(link).toMatchObject({
        type: 'resource_link',
        name: expect.any(String),
        description: expect.any(String),
        mimeType: expect.stringMatching(/^(application\/json|text\/markdown)$/),
      });
    }
    for (const uri of new Set(links.map((l) => l.uri))) {
      const read = await client.readResource({ uri });
      const content = read.contents[0] as { uri: string; mimeType: string; text: string };
      expect(content.uri).toBe(uri);
      expect(content.mimeType).toBe(links.find((l) => l.uri === uri)!.mimeType);
      expect(content.text.length, uri).toBeGreaterThan(0);
    }
    expect(answers.find((a) => a.tool === 'request_rollback')!.links.map((l) => l.name)).toEqual([id, 'PLAN.md', 'SUMMARY.md', 'VERIFICATION.md', 'events']);
  }, 60_000);

  it('maps every action next can offer to a tool this server lists or a Slack control with a registered handler', async () => {
    const toolNames = new Set(tools.map((t) => t.name));
    // What Slack registers, recorded from the same functions the bot calls at start-up.
    const actionIds = new Set<string>();
    const commands = new Set<string>();
    const recorder = { action: (id: string) => actionIds.add(id), command: (name: string) => commands.add(name) } as unknown as BoltApp;
    registerActionHandlers(recorder, { service: app.missions, logger: silentLogger });
    registerCommandHandlers(recorder, { service: app.missions, logger: silentLogger });

    const doors = (action: NextStepAction) => {
      const tool = TOOL_FOR_ACTION[action];
      const control = SLACK_CONTROL_FOR_ACTION[action];
      return { tool, control };
    };
    for (const action of NEXT_STEP_ACTIONS) {
      const { tool, control } = doors(action);
      expect(tool !== null || control !== null, `${action} has no front door`).toBe(true);
      if (tool !== null) expect(toolNames, `${action}: MCP tool ${tool}`).toContain(tool);
      if (control?.kind === 'button') for (const id of control.actionIds) expect(actionIds, `${action}: Slack action ${id}`).toContain(id);
      if (control?.kind === 'command') {
        expect(commands).toContain(MISSION_COMMAND);
        const usage = control.usage('m_example');
        expect(usage.startsWith(`${MISSION_COMMAND} `)).toBe(true);
        expect(parseMissionCommand(usage.slice(MISSION_COMMAND.length + 1))).toMatchObject({ kind: control.subcommand, missionId: 'm_example' });
      }
    }
  });
});
