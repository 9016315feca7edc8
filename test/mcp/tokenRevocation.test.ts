// Revoking a token (as `mission-control token revoke` does, from another process: straight in
// the tokens table) closes its open sessions and streams at once, with the SDK's Client over
// Streamable HTTP against a started server; the next call is refused 401.
import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/mcp/mcpTokens.js';
import { PROVIDERS } from '../support/databases.js';
import { callOk, startHttpHarness, until, type HttpHarness } from './httpHarness.js';

let h: HttpHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe.each(PROVIDERS)('a revoked token on %s', (provider) => {
  it('has its open session and stream closed, and its next call refused', async () => {
    h = await startHttpHarness(provider, { revocationCheckMs: 100 });
    const token = await createToken(h.app.db.accessTokens, { name: 'revocable-assistant', onBehalfOf: 'U0JORDAN' });
    const { client, transport } = await h.connect(token.secret);
    const errors: unknown[] = [];
    client.onerror = (error) => errors.push(error);
    await callOk(client, 'list_missions', {});
    // The client opens its GET stream for notifications after initializing.
    await until(() => transport.sessionId !== undefined && h!.endpoint.sessionCount() === 1);
    const stayingOpen = await h.connect();
    await callOk(stayingOpen.client, 'list_missions', {});
    expect(h.endpoint.sessionCount()).toBe(2);

    expect(await h.app.db.accessTokens.revoke('revocable-assistant', new Date())).toBe(true);
    // Only the revoked token's session is closed; the stream ends, and the client's attempt to reopen it is refused.
    await until(() => h!.endpoint.sessionCount() === 1, 5_000);
    await until(() => errors.some((e) => /401|Unauthorized/i.test(String(e))), 5_000);
    await expect(client.callTool({ name: 'list_missions', arguments: {} })).rejects.toThrow(/401|Unauthorized/i);
    await callOk(stayingOpen.client, 'list_missions', {});
  });
});
