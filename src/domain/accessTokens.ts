// Bearer tokens that let an assistant act over MCP, as storage keeps them. Only a hash of
// the secret is stored; front doors hash what they are given and look it up. The port lives
// here so storage implements it without importing a front door.

export interface AccessTokenRecord {
  id: string;
  /** Unique, readable; it becomes the MCP actor id ("claude-code-jordan"). */
  name: string;
  /** sha256 (hex) of the secret. */
  secretHash: string;
  /** The Slack user the assistant works for; never gives it a human's rights. */
  onBehalfOf: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AccessTokenRepository {
  /** Stores a new token; returns false (and writes nothing) when the name is already taken. */
  create(record: AccessTokenRecord): Promise<boolean>;
  findBySecretHash(secretHash: string): Promise<AccessTokenRecord | null>;
  list(): Promise<AccessTokenRecord[]>;
  /** Marks the named token revoked; returns false when there is no such active token. */
  revoke(name: string, at: Date): Promise<boolean>;
  touch(id: string, at: Date): Promise<void>;
}
