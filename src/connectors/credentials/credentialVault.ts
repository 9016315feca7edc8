// Where a connector's token comes from: the workspace's stored credential (encrypted with
// ENCRYPTION_KEY), else the environment variable (GITHUB_TOKEN, LINEAR_API_KEY) as the default
// workspace's credential. Tokens leave this module only to build a client; they are never logged.
import { SecretBox, type SealedSecret } from './secretBox.js';

export const DEFAULT_WORKSPACE = 'default';

export interface StoredCredential extends SealedSecret {
  workspaceId: string;
  toolkitId: string;
  scopes: string | null;
  createdAt: Date;
  updatedAt: Date;
  validatedAt: Date | null;
}

export type CredentialSummary = Omit<StoredCredential, 'ciphertext' | 'iv' | 'authTag'>;

/** Storage of sealed credentials (Prisma: `ToolkitCredential`). */
export interface CredentialStore {
  get(workspaceId: string, toolkitId: string): Promise<StoredCredential | null>;
  put(credential: Omit<StoredCredential, 'createdAt' | 'validatedAt' | 'scopes'>): Promise<void>;
  /** Replaces the sealed secret only if the row still holds `previous` (a concurrent `set` wins); keeps validation. */
  reseal(workspaceId: string, toolkitId: string, previous: SealedSecret, next: SealedSecret): Promise<boolean>;
  markValidated(workspaceId: string, toolkitId: string, at: Date, scopes: string | null): Promise<void>;
  list(): Promise<CredentialSummary[]>;
  remove(workspaceId: string, toolkitId: string): Promise<boolean>;
}

export interface RotationReport {
  /** Re-sealed with the current key. */
  resealed: Array<{ workspaceId: string; toolkitId: string; from: string | null }>;
  /** Already under the current key. */
  current: number;
  /** Could not be opened with any configured key: left as they are. */
  unreadable: Array<{ workspaceId: string; toolkitId: string; keyId: string | null; reason: string }>;
}

export const TOOLKIT_ENV_TOKENS: Record<string, string> = { github: 'GITHUB_TOKEN', linear: 'LINEAR_API_KEY' };

const associatedData = (workspaceId: string, toolkitId: string) => `toolkit-credential:${workspaceId}:${toolkitId}`;

export class CredentialVault {
  private readonly box: SecretBox | null;

  constructor(
    private readonly store: CredentialStore,
    encryptionKey: string | undefined,
    private readonly env: Record<string, string | undefined> = {},
    previousKeys: string | undefined = undefined,
  ) {
    this.box = encryptionKey ? new SecretBox(encryptionKey, previousKeys) : null;
  }

  /** The id of the key new credentials are sealed with (null without ENCRYPTION_KEY). */
  get currentKeyId(): string | null {
    return this.box?.currentKeyId ?? null;
  }

  /**
   * Re-seals every stored credential with the current ENCRYPTION_KEY. Rows already under it are
   * left alone, so running it twice is harmless; rows no configured key opens are reported, not lost.
   */
  async rotate(): Promise<RotationReport> {
    if (!this.box) throw new Error('Set ENCRYPTION_KEY (the new key) and ENCRYPTION_KEY_PREVIOUS (the old one) before rotating.');
    const report: RotationReport = { resealed: [], current: 0, unreadable: [] };
    for (const row of await this.store.list()) {
      if (row.keyId === this.box.currentKeyId) {
        report.current++;
        continue;
      }
      const stored = await this.store.get(row.workspaceId, row.toolkitId);
      if (!stored) continue;
      const data = associatedData(row.workspaceId, row.toolkitId);
      let token: string;
      try {
        token = this.box.open(stored, data);
      } catch (error) {
        report.unreadable.push({ workspaceId: row.workspaceId, toolkitId: row.toolkitId, keyId: stored.keyId, reason: (error as Error).message });
        continue;
      }
      if (await this.store.reseal(row.workspaceId, row.toolkitId, stored, this.box.seal(token, data))) {
        report.resealed.push({ workspaceId: row.workspaceId, toolkitId: row.toolkitId, from: stored.keyId });
      } else {
        report.current++; // replaced meanwhile by `credential set`, under the current key
      }
    }
    return report;
  }

  async save(workspaceId: string, toolkitId: string, token: string, now: Date): Promise<void> {
    if (!this.box) throw new Error('Set ENCRYPTION_KEY before storing credentials (32 random bytes as hex or base64, e.g. `openssl rand -base64 32`).');
    const sealed = this.box.seal(token, associatedData(workspaceId, toolkitId));
    await this.store.put({ workspaceId, toolkitId, ...sealed, updatedAt: now });
  }

  /** The token for a toolkit and where it came from, or null when none is configured. */
  async token(toolkitId: string, workspaceId = DEFAULT_WORKSPACE): Promise<{ token: string; source: 'stored' | 'environment' } | null> {
    const stored = await this.store.get(workspaceId, toolkitId);
    if (stored) {
      if (!this.box) throw new Error(`A ${toolkitId} credential is stored but ENCRYPTION_KEY is not set, so it cannot be read.`);
      return { token: this.box.open(stored, associatedData(workspaceId, toolkitId)), source: 'stored' };
    }
    const variable = TOOLKIT_ENV_TOKENS[toolkitId];
    const fromEnv = variable ? this.env[variable]?.trim() : undefined;
    return fromEnv && workspaceId === DEFAULT_WORKSPACE ? { token: fromEnv, source: 'environment' } : null;
  }

  markValidated(toolkitId: string, at: Date, scopes: string | null, workspaceId = DEFAULT_WORKSPACE): Promise<void> {
    return this.store.markValidated(workspaceId, toolkitId, at, scopes);
  }
}
