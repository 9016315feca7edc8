// Token handling: MCP_TOKENS parsing (errors never echo a secret), bearer parsing, and the
// authenticator's view of stored tokens (revoked ones refused, lastUsedAt written sparingly).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerSecret, createToken, hashSecret, McpTokenAuthenticator, parseEnvTokens } from '../../src/mcp/mcpTokens.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';

describe('MCP_TOKENS', () => {
  it('parses name:secret[:onBehalfOf] entries and keeps only hashes', () => {
    const tokens = parseEnvTokens(' bot:0123456789abcdef , jordan-laptop:fedcba9876543210fedc:U0JORDAN ');
    expect(tokens).toEqual([
      { name: 'bot', onBehalfOf: null, secretHash: hashSecret('0123456789abcdef') },
      { name: 'jordan-laptop', onBehalfOf: 'U0JORDAN', secretHash: hashSecret('fedcba9876543210fedc') },
    ]);
    expect(parseEnvTokens('')).toEqual([]);
  });

  it('refuses malformed entries by position, without echoing the secret', () => {
    expect(() => parseEnvTokens('bot:short')).toThrow('MCP_TOKENS entry 1 (bot): the secret must be at least 16 characters');
    expect(() => parseEnvTokens('bot:0123456789abcdef:jordan')).toThrow('on-behalf-of must be a Slack user id');
    expect(() => parseEnvTokens('a:0123456789abcdef,a:0123456789abcdeg')).toThrow('the name "a" is listed twice');
    try {
      parseEnvTokens('bad name:supersecretvalue12345');
    } catch (error) {
      expect(String(error)).not.toContain('supersecretvalue12345');
    }
  });

  it('reads bearer credentials only', () => {
    expect(bearerSecret('Bearer mc_abc')).toBe('mc_abc');
    expect(bearerSecret('bearer   mc_abc ')).toBe('mc_abc');
    expect(bearerSecret('Basic abc')).toBeNull();
    expect(bearerSecret(undefined)).toBeNull();
  });
});

describe.each(PROVIDERS)('stored MCP tokens on %s', (provider) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await openTestDatabase(provider);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('authenticates active tokens, refuses revoked and unknown ones, and records last use', async () => {
    const { secret, record } = await createToken(db.accessTokens, { name: 'claude-code-jordan', onBehalfOf: 'U0JORDAN' });
    expect(secret).toMatch(/^mc_[A-Za-z0-9_-]{43}$/);
    expect(record.secretHash).toBe(hashSecret(secret));
    await expect(createToken(db.accessTokens, { name: 'claude-code-jordan' })).rejects.toThrow('already exists');
    await expect(createToken(db.accessTokens, { name: 'bad name' })).rejects.toThrow('--name:');
    const auth = new McpTokenAuthenticator(db.accessTokens, 'dev:0123456789abcdef');
    expect(await auth.authenticate(secret)).toEqual({ name: 'claude-code-jordan', onBehalfOf: 'U0JORDAN' });
    expect(await auth.authenticate('0123456789abcdef')).toEqual({ name: 'dev', onBehalfOf: null });
    expect(await auth.authenticate('mc_nope')).toBeNull();
    expect(await auth.authenticate(null)).toBeNull();
    expect(await auth.authenticate('x'.repeat(10_000))).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await db.accessTokens.list())[0]!.lastUsedAt).not.toBeNull();
    expect(await db.accessTokens.revoke('claude-code-jordan', new Date())).toBe(true);
    expect(await auth.authenticate(secret)).toBeNull();
    expect(await db.accessTokens.revoke('claude-code-jordan', new Date())).toBe(false);
  });
});
