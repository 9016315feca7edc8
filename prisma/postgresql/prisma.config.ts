// Prisma CLI configuration for PostgreSQL (several instances sharing one database).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

const connectionString = /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '')
  ? process.env.DATABASE_URL!
  : 'postgresql://postgres@127.0.0.1:5432/test';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  async adapter() {
    return new PrismaPg({ connectionString });
  },
});
