// AccessTokenRepository on Prisma (McpToken table), same code for SQLite and PostgreSQL.
import type { AccessTokenRecord, AccessTokenRepository } from '../domain/accessTokens.js';
import { Prisma, type PrismaClient } from '../../generated/prisma-sqlite/index.js';

export class PrismaAccessTokenRepository implements AccessTokenRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(record: AccessTokenRecord): Promise<boolean> {
    try {
      await this.prisma.mcpToken.create({ data: record });
      return true;
    } catch (error) {
      // P2002: unique constraint (the name; a secret-hash collision is not a practical event).
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  findBySecretHash(secretHash: string): Promise<AccessTokenRecord | null> {
    return this.prisma.mcpToken.findUnique({ where: { secretHash } });
  }

  list(): Promise<AccessTokenRecord[]> {
    return this.prisma.mcpToken.findMany({ orderBy: { createdAt: 'asc' } });
  }

  async revoke(name: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.mcpToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: at } });
    return count > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.mcpToken.update({ where: { id }, data: { lastUsedAt: at } });
  }
}

function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === 'P2002';
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
