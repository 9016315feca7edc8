// The /mission command text and its ids: what a person types, and what Slack sends back.
import { describe, expect, it } from 'vitest';
import { ACTION_IDS, decodeActionValue, encodeActionValue, INPUT_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { LIMITS as LIMITS_CHECK } from '../../src/slack/blockKitLimits.js';
import { parseMissionCommand } from '../../src/slack/missionCommandText.js';
import { checkBlockKitLimits } from '../../src/slack/blockKitLimits.js';
import { usageMessage } from '../../src/slack/usageMessages.js';

describe('parseMissionCommand', () => {
  it.each([
    ['help', { kind: 'help' }],
    ['  LIST ', { kind: 'list' }],
    ['status msn_0001', { kind: 'status', missionId: 'msn_0001' }],
    ['cancel msn_0001', { kind: 'cancel', missionId: 'msn_0001' }],
    ['cancel the nightly deploy job', { kind: 'start', intent: 'cancel the nightly deploy job' }],
    ['budget msn_0001 12.50', { kind: 'budget', missionId: 'msn_0001', budgetUsd: '12.50' }],
    ['budget msn_0001 $5', { kind: 'budget', missionId: 'msn_0001', budgetUsd: '5' }],
    ['budget reports for the finance team need a CSV export', { kind: 'start', intent: 'budget reports for the finance team need a CSV export' }],
    ['Fix the flaky login test', { kind: 'start', intent: 'Fix the flaky login test' }],
    ['Refactor auth\n- fix JWT refresh', { kind: 'start', intent: 'Refactor auth\n- fix JWT refresh' }],
  ])('reads %j', (text, expected) => {
    expect(parseMissionCommand(text)).toEqual(expected);
  });

  it.each(['', '   ', 'stauts', 'status', 'status a b', 'cancel', 'budget', 'budget msn_0001'])('answers %j with usage', (text) => {
    const parsed = parseMissionCommand(text);
    expect(parsed.kind).toBe('usage');
    if (parsed.kind === 'usage') expect(checkBlockKitLimits(usageMessage(parsed.problem))).toEqual([]);
  });
});

describe('action ids and values', () => {
  it('are unique, prefixed and within Slack limits', () => {
    const ids = [...Object.values(ACTION_IDS), ...Object.values(VIEW_IDS)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith('mc_') && id.length <= LIMITS_CHECK.actionId)).toBe(true);
    expect(INPUT_IDS.reason).toEqual({ block: 'reason', action: 'reason' });
  });

  it('round-trip a value and refuse anything else', () => {
    const value = { missionId: 'msn_0001', requestId: 'apr_0027', playId: 'play_4' };
    expect(decodeActionValue(encodeActionValue(value))).toEqual(value);
    expect(decodeActionValue('not json')).toBeNull();
    expect(decodeActionValue('{"playId":"p"}')).toBeNull();
    expect(decodeActionValue(undefined)).toBeNull();
    expect(
      encodeActionValue({ missionId: 'x'.repeat(100), requestId: 'y'.repeat(100), playId: 'z'.repeat(100), alertId: 'w'.repeat(100), version: 1 }).length,
    ).toBeLessThanOrEqual(LIMITS_CHECK.buttonValue);
  });
});
