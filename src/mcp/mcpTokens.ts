// MCP bearer tokens: made by `mission-control token create` (the secret is printed once, only
// its sha256 is stored) or listed in MCP_TOKENS for development. Who a token is becomes the
// MCP actor: { kind: 'mcp_token', id: <token name>, onBehalfOf }.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AccessTokenRecord, AccessTokenRepository } from '../domain/accessTokens.js';
import type { Actor } from '../domain/actors.js';

export const TOKEN_PREFIX = 'mc_';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SLACK_USER_PATTERN = /^[UW][A-Z0-9]{2,}$/;
/** Longer bearer values are refused before hashing: no real token is this long. */
const MAX_SECRET_LENGTH = 512;
/** lastUsedAt is written at most this often per token, so authentication stays a read. */
const TOUCH_INTERVAL_MS = 60_000;

export type McpActor = Extract<Actor, { kind: 'mcp_token' }>;

export interface TokenIdentity {
  name: string;
  onBehalfOf: string | null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** 32 random bytes (256 bits), base64url, with a recognisable prefix so secret scanners can find leaked tokens. */
export function generateSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function actorOf(identity: TokenIdentity): McpActor {
  return identity.onBehalfOf ? { kind: 'mcp_token', id: identity.name, onBehalfOf: identity.onBehalfOf } : { kind: 'mcp_token', id: identity.name };
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function validateTokenName(name: string): string | null {
  return NAME_PATTERN.test(name)
    ? null
    : 'the name must be 1-100 letters, digits, dots, dashes or underscores, starting with a letter or digit (e.g. claude-code-jordan)';
}

export function validateOnBehalfOf(id: string): string | null {
  return SLACK_USER_PATTERN.test(id) ? null : 'on-behalf-of must be a Slack user id such as U012ABCDEF';
}

interface EnvToken extends TokenIdentity {
  secretHash: string;
}

/**
 * Parses MCP_TOKENS: `name:secret[:onBehalfOf],...`. Throws with the entry's position (never
 * its secret) when an entry is malformed.
 */
export function parseEnvTokens(value: string): EnvToken[] {
  const tokens: EnvToken[] = [];
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const [name = '', secret = '', onBehalfOf, ...rest] = entry.split(':');
    const where = `MCP_TOKENS entry ${index + 1}`;
    if (rest.length > 0) throw new Error(`${where}: expected name:secret[:onBehalfOf]`);
    const nameProblem = validateTokenName(name);
    if (nameProblem) throw new Error(`${where}: ${nameProblem}`);
    if (secret.length < 16) throw new Error(`${where} (${name}): the secret must be at least 16 characters`);
    if (onBehalfOf !== undefined && validateOnBehalfOf(onBehalfOf)) throw new Error(`${where} (${name}): ${validateOnBehalfOf(onBehalfOf)}`);
    if (tokens.some((t) => t.name === name)) throw new Error(`${where}: the name "${name}" is listed twice`);
    tokens.push({ name, onBehalfOf: onBehalfOf ?? null, secretHash: hashSecret(secret) });
  });
  return tokens;
}

/** Reads `Authorization: Bearer <secret>`; null when absent or not a bearer credential. */
export function bearerSecret(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Checks bearer secrets against MCP_TOKENS and the stored tokens. */
export class McpTokenAuthenticator {
  private readonly envTokens: EnvToken[];
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly repository: AccessTokenRepository | null,
    envTokens: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.envTokens = parseEnvTokens(envTokens);
  }

  async authenticate(secret: string | null): Promise<TokenIdentity | null> {
    if (!secret || secret.length > MAX_SECRET_LENGTH) return null;
    const hash = hashSecret(secret);
    // Every development token is compared, in constant time, so timing says nothing about which matched.
    let fromEnv: EnvToken | null = null;
    for (const token of this.envTokens) if (sameHash(token.secretHash, hash)) fromEnv = token;
    if (fromEnv) return { name: fromEnv.name, onBehalfOf: fromEnv.onBehalfOf };
    if (!this.repository) return null;
    // Looked up by hash (an index); the attacker controls only the input to the hash, so the
    // lookup's timing reveals nothing about stored secrets. The final comparison is constant-time anyway.
    const stored = await this.repository.findBySecretHash(hash);
    if (!stored || stored.revokedAt !== null || !sameHash(stored.secretHash, hash)) return null;
    this.touch(stored);
    return { name: stored.name, onBehalfOf: stored.onBehalfOf };
  }

  /**
   * Which of these token names are revoked now. `token revoke` runs in another process, so the
   * server asks the tokens table (one small read) rather than wait to be told. Development
   * tokens from MCP_TOKENS are never revoked this way.
   */
  async revokedAmong(names: Iterable<string>): Promise<Set<string>> {
    const wanted = new Set(names);
    if (!this.repository || wanted.size === 0) return new Set();
    const fromEnv = new Set(this.envTokens.map((t) => t.name));
    const stored = await this.repository.list();
    return new Set(stored.filter((t) => t.revokedAt !== null && wanted.has(t.name) && !fromEnv.has(t.name)).map((t) => t.name));
  }

  private touch(token: AccessTokenRecord): void {
    const now = this.now();
    const last = this.lastTouched.get(token.id) ?? token.lastUsedAt?.getTime() ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(token.id, now.getTime());
    // Best effort: a failed lastUsedAt write must not fail the request.
    this.repository!.touch(token.id, now).catch(() => undefined);
  }
}

export interface CreatedToken {
  record: AccessTokenRecord;
  /** Shown once; only its hash is stored. */
  secret: string;
}

/** Creates and stores a token; throws a message for the person at the terminal when the input or name is refused. */
export async function createToken(
  repository: AccessTokenRepository,
  input: { name: string; onBehalfOf?: string | undefined },
  now = new Date(),
): Promise<CreatedToken> {
  const nameProblem = validateTokenName(input.name);
  if (nameProblem) throw new Error(`--name: ${nameProblem}`);
  if (input.onBehalfOf !== undefined && validateOnBehalfOf(input.onBehalfOf)) throw new Error(`--on-behalf-of: ${validateOnBehalfOf(input.onBehalfOf)}`);
  const secret = generateSecret();
  const record: AccessTokenRecord = {
    id: `tok_${randomUUID()}`,
    name: input.name,
    secretHash: hashSecret(secret),
    onBehalfOf: input.onBehalfOf ?? null,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  if (!(await repository.create(record))) {
    throw new Error(`--name: a token named "${input.name}" already exists (token names are never reused, revoked ones included). Choose another name.`);
  }
  return { record, secret };
}
