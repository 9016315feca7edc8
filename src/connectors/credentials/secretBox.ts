// Connector tokens at rest: AES-256-GCM under ENCRYPTION_KEY, a fresh 12-byte IV per seal,
// and the row's identity (workspace and toolkit) as associated data, so a ciphertext copied
// onto another row does not decrypt. Each sealed secret names the key that sealed it (`keyId`,
// derived from the key, never the key itself), so during a rotation the old key
// (ENCRYPTION_KEY_PREVIOUS) still opens what it sealed while the new key seals everything new.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SealedSecret {
  ciphertext: string;
  iv: string;
  authTag: string;
  /** The sealing key's id; null on rows stored before key ids existed (every key is tried). */
  keyId: string | null;
}

const KEY_RULE = 'must be 32 random bytes written as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)';

/** ENCRYPTION_KEY: 32 bytes, as 64 hex characters or base64 (44 characters with padding). */
export function parseEncryptionKey(raw: string, name = 'ENCRYPTION_KEY'): Buffer {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new Error(`${name} ${KEY_RULE}.`);
}

/** ENCRYPTION_KEY_PREVIOUS: one or more older keys, separated by commas or whitespace. */
export function parsePreviousKeys(raw: string | undefined): Buffer[] {
  if (!raw?.trim()) return [];
  return raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((k) => parseEncryptionKey(k, 'Each key in ENCRYPTION_KEY_PREVIOUS'));
}

/** A public name for a key: the first 16 hex characters of a hash over a label and the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('mission-control/credential-key/v1\0').update(key).digest('hex').slice(0, 16);
}

export class SecretBox {
  private readonly current: { id: string; key: Buffer };
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(encryptionKey: string, previousKeys: string | undefined = undefined) {
    const key = parseEncryptionKey(encryptionKey);
    this.current = { id: keyIdOf(key), key };
    const keys = new Map<string, Buffer>([[this.current.id, key]]);
    for (const old of parsePreviousKeys(previousKeys)) keys.set(keyIdOf(old), old);
    this.keys = keys;
  }

  /** The id of the key new secrets are sealed with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** Whether a secret sealed under this key id can be opened with the keys configured. */
  canOpen(keyId: string | null): boolean {
    return keyId === null || this.keys.has(keyId);
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext: ciphertext.toString('base64'), iv: iv.toString('base64'), authTag: cipher.getAuthTag().toString('base64'), keyId: this.current.id };
  }

  open(sealed: SealedSecret, associatedData: string): string {
    if (sealed.keyId !== null && !this.keys.has(sealed.keyId)) {
      throw new Error(
        `A stored credential was sealed with key ${sealed.keyId}, which is neither ENCRYPTION_KEY (${this.current.id}) nor in ENCRYPTION_KEY_PREVIOUS. Set the old key in ENCRYPTION_KEY_PREVIOUS, or store the token again.`,
      );
    }
    // Rows from before key ids: try the current key first, then the previous ones.
    const candidates =
      sealed.keyId !== null ? [this.keys.get(sealed.keyId)!] : [this.current.key, ...[...this.keys.values()].filter((k) => k !== this.current.key)];
    for (const key of candidates) {
      const opened = tryOpen(key, sealed, associatedData);
      if (opened !== null) return opened;
    }
    throw new Error(
      'A stored credential could not be decrypted: ENCRYPTION_KEY differs from the key it was stored with, or the row was altered. Store the token again.',
    );
  }
}

function tryOpen(key: Buffer, sealed: SealedSecret, associatedData: string): string | null {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.authTag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
