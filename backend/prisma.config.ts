// Prisma 7 reads its datasource URL from here, not from schema.prisma. The CLI is only used
// offline here (`generate`); `prisma migrate deploy` also works with this file wherever Prisma's
// schema engine can be downloaded (e.g. Railway). It migrates, so it takes DATABASE_DIRECT_URL
// when set (DATABASE_URL may go through a transaction pooler; docs/operations.md). A placeholder
// URL keeps `generate` usable without a database.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // `||`: a blank variable (a .env copied from .env.example) counts as unset, as in config/env.ts.
  datasource: {
    url: process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL || 'postgresql://localhost:5432/postaify',
  },
});
