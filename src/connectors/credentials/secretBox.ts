// Connector tokens at rest: AES-256-GCM under ENCRYPTION_KEY, a fresh 12-byte IV per seal,
// and the row's identity (workspace and toolkit) as associated data, so a ciphertext copied
// onto another row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SealedSecret {
  ciphertext: string;
  iv: string;
  authTag: string;
}

/** ENCRYPTION_KEY: 32 bytes, as 64 hex characters or base64 (44 characters with padding). */
export function parseEncryptionKey(raw: string): Buffer {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new Error('ENCRYPTION_KEY must be 32 random bytes written as 64 hex characters or base64 (e.g. `openssl rand -base64 32`).');
}

export class SecretBox {
  private readonly key: Buffer;

  constructor(encryptionKey: string) {
    this.key = parseEncryptionKey(encryptionKey);
  }

  seal(plaintext: string, associatedData: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext: ciphertext.toString('base64'), iv: iv.toString('base64'), authTag: cipher.getAuthTag().toString('base64') };
  }

  open(sealed: SealedSecret, associatedData: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.authTag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('A stored credential could not be decrypted: ENCRYPTION_KEY differs from the key it was stored with, or the row was altered. Store the token again.');
    }
  }
}
