// Sealed connector credentials on Prisma (ToolkitCredential), same code for SQLite and PostgreSQL.
import type { CredentialStore, CredentialSummary, StoredCredential } from '../connectors/credentials/credentialVault.js';
import type { SealedSecret } from '../connectors/credentials/secretBox.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';

export class PrismaCredentialStore implements CredentialStore {
  constructor(private readonly prisma: PrismaClient) {}

  get(workspaceId: string, toolkitId: string): Promise<StoredCredential | null> {
    return this.prisma.toolkitCredential.findUnique({ where: { workspaceId_toolkitId: { workspaceId, toolkitId } } });
  }

  async put(credential: Omit<StoredCredential, 'createdAt' | 'validatedAt' | 'scopes'>): Promise<void> {
    const { workspaceId, toolkitId, ciphertext, iv, authTag, keyId, updatedAt } = credential;
    // A new token has not been validated yet, whatever the old one was.
    await this.prisma.toolkitCredential.upsert({
      where: { workspaceId_toolkitId: { workspaceId, toolkitId } },
      create: { workspaceId, toolkitId, ciphertext, iv, authTag, keyId, createdAt: updatedAt, updatedAt },
      update: { ciphertext, iv, authTag, keyId, updatedAt, validatedAt: null, scopes: null },
    });
  }

  async reseal(workspaceId: string, toolkitId: string, previous: SealedSecret, next: SealedSecret): Promise<boolean> {
    // Same token, new key: the row's validation stays; the compare on the old ciphertext lets a concurrent `set` win.
    const { count } = await this.prisma.toolkitCredential.updateMany({
      where: { workspaceId, toolkitId, ciphertext: previous.ciphertext, iv: previous.iv },
      data: { ciphertext: next.ciphertext, iv: next.iv, authTag: next.authTag, keyId: next.keyId },
    });
    return count > 0;
  }

  async markValidated(workspaceId: string, toolkitId: string, at: Date, scopes: string | null): Promise<void> {
    await this.prisma.toolkitCredential.updateMany({ where: { workspaceId, toolkitId }, data: { validatedAt: at, scopes } });
  }

  list(): Promise<CredentialSummary[]> {
    return this.prisma.toolkitCredential.findMany({
      select: { workspaceId: true, toolkitId: true, keyId: true, scopes: true, createdAt: true, updatedAt: true, validatedAt: true },
      orderBy: [{ workspaceId: 'asc' }, { toolkitId: 'asc' }],
    });
  }

  async remove(workspaceId: string, toolkitId: string): Promise<boolean> {
    const { count } = await this.prisma.toolkitCredential.deleteMany({ where: { workspaceId, toolkitId } });
    return count > 0;
  }
}
