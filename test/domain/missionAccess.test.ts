// Which missions a token may act on: the pure rule, without a database.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import { requireTokenMayAct, tokenMayActOn } from '../../src/domain/missionAccess.js';
import type { Mission } from '../../src/domain/mission.js';

const JORDAN: Actor = { kind: 'slack_user', id: 'U0JORDAN' };
const CI: Actor = { kind: 'mcp_token', id: 'ci-executor' };
const FOR_JORDAN: Actor = { kind: 'mcp_token', id: 'claude-code-jordan', onBehalfOf: 'U0JORDAN' };
const FOR_SAM: Actor = { kind: 'mcp_token', id: 'claude-code-sam', onBehalfOf: 'U0SAM' };

type Reach = Pick<Mission, 'id' | 'requester' | 'channelId' | 'execution'>;
const mission = (over: Partial<Reach> = {}): Reach => ({ id: 'msn_1', requester: JORDAN, channelId: null, execution: null, ...over });
const dispatched = (status: 'requested' | 'dispatched' | 'failed') => mission({ execution: { dispatch: { status } } as unknown as Mission['execution'] });

describe('tokenMayActOn', () => {
  it('lets a token acting for the requester act, and another person’s token only on missions in a channel', () => {
    expect(tokenMayActOn(mission(), FOR_JORDAN)).toBe(true);
    expect(tokenMayActOn(mission(), FOR_SAM)).toBe(false);
    expect(tokenMayActOn(mission({ channelId: 'C0MISSIONS' }), FOR_SAM)).toBe(true);
  });

  it('lets a token acting for nobody act on its own missions and on missions handed to an executor, not on others', () => {
    expect(tokenMayActOn(mission({ requester: CI }), CI)).toBe(true);
    expect(tokenMayActOn(mission({ channelId: 'C0MISSIONS' }), CI)).toBe(false);
    expect(tokenMayActOn(dispatched('requested'), CI)).toBe(true);
    expect(tokenMayActOn(dispatched('dispatched'), CI)).toBe(true);
    expect(tokenMayActOn(dispatched('failed'), CI)).toBe(false);
  });

  it('never limits people', () => {
    expect(tokenMayActOn(mission({ requester: CI }), { kind: 'slack_user', id: 'U0ANYONE' })).toBe(true);
  });

  it('says what a refused token may act on', () => {
    expect(() => requireTokenMayAct(mission(), CI)).toThrow(/acting for nobody may act only on missions it started and missions dispatched to an executor/);
    expect(() => requireTokenMayAct(mission(), FOR_SAM)).toThrow(/a token acting for U0SAM may act on missions U0SAM requested/);
  });
});
