// Prisma 7 reads its datasource URL from here, not from schema.prisma. The CLI is only used
// offline here (`generate`); `prisma migrate deploy` also works with this file wherever Prisma's
// schema engine can be downloaded (e.g. Railway). A placeholder URL keeps `generate` usable
// without a database.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/postaify' },
});
