// cancel_mission and dismiss_play: the front doors for the cancel and dismiss_play next steps.
// Each refusal names the field or state and writes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { SEED_POLICY, seedToExecuting, seedToPlanning } from '../support/seedJourney.js';
import { ASSISTANT, SEED_INTENT } from '../support/seedMission.js';
import { footprint, openHarness, type Harness } from './mcpHarness.js';

describe.each(PROVIDERS)('cancel_mission and dismiss_play on %s', (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY });
  });
  afterEach(async () => {
    await h.close();
  });

  it('lists both as writing tools, cancel_mission as destructive', async () => {
    const { tools } = await h.client.listTools();
    const cancel = tools.find((t) => t.name === 'cancel_mission')!;
    expect(cancel.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(cancel.inputSchema).toMatchObject({ type: 'object', required: ['missionId', 'reason'], additionalProperties: false });
    expect(tools.find((t) => t.name === 'dismiss_play')!.inputSchema).toMatchObject({ required: ['missionId', 'playId', 'reason'] });
  });

  it('cancels an executing mission with a reason, recorded under the assistant, and refuses to cancel it again', async () => {
    const executing = await seedToExecuting(h.service, h.clock);
    const cancelled = await h.ok<{ mission: { state: string }; reason: string; next: { steps: unknown[] } }>('cancel_mission', {
      missionId: executing.id,
      reason: 'The user stopped the work',
    });
    expect(cancelled).toMatchObject({ mission: { state: 'cancelled' }, reason: 'The user stopped the work', next: { steps: [] } });
    const events = await h.service.events({ missionId: executing.id });
    expect(events.find((e) => e.type === 'mission_cancelled')).toMatchObject({ actor: { id: ASSISTANT.id }, payload: { reason: 'The user stopped the work' } });

    const before = await footprint(h.service, executing.id);
    const again = await h.refused('cancel_mission', { missionId: executing.id, reason: 'twice' });
    expect(again.text).toMatch(/cancel/i);
    expect(again.code).toBe('transition_refused');
    expect(await footprint(h.service, executing.id)).toEqual(before);
  });

  it('refuses a cancellation without a reason or with an unknown key, naming the field, and writes nothing', async () => {
    const { mission } = await h.ok<{ mission: { id: string } }>('start_mission', { intent: SEED_INTENT });
    const before = await footprint(h.service, mission.id);
    const noReason = await h.refused('cancel_mission', { missionId: mission.id });
    expect(noReason.text).toContain('reason');
    const typo = await h.refused('cancel_mission', { missionId: mission.id, reason: 'no longer needed', reasn: 'x' });
    expect(typo.text).toContain('reasn');
    expect(await footprint(h.service, mission.id)).toEqual(before);
  });

  it('dismisses a play with a reason, re-ranks the rest, and refuses unknown plays and dismissals outside planning', async () => {
    const planning = await seedToPlanning(h.service, h.clock);
    const play = planning.plays[0]!;
    const dismissed = await h.ok<{
      play: { id: string; status: string; dismissedReason: string };
      plays: Array<{ id: string; status: string }>;
      next: { steps: Array<{ action: string }> };
    }>('dismiss_play', {
      missionId: planning.id,
      playId: play.id,
      reason: 'Touches the schema',
    });
    expect(dismissed.play).toMatchObject({ id: play.id, status: 'dismissed', dismissedReason: 'Touches the schema' });
    expect(dismissed.plays.filter((p) => p.status !== 'dismissed').length).toBe(planning.plays.length - 1);

    const before = await footprint(h.service, planning.id);
    const unknown = await h.refused('dismiss_play', { missionId: planning.id, playId: 'play_nope', reason: 'x' });
    expect(unknown.text).toContain('play_nope');
    const noReason = await h.refused('dismiss_play', { missionId: planning.id, playId: planning.plays[1]!.id });
    expect(noReason.text).toContain('reason');
    expect(await footprint(h.service, planning.id)).toEqual(before);

    const executing = await seedToExecuting(h.service, h.clock);
    const late = await h.refused('dismiss_play', { missionId: executing.id, playId: executing.plays[0]!.id, reason: 'too late' });
    expect(late.details).toMatchObject({ state: 'executing' });
  });
});
