# One image for both processes: the replica server (default CMD) and the HTTP API
# (docker-compose runs it with `node dist/apps/api/main.js`).
#
#   docker build -t distilled:local .                     from source (what `docker-compose up --build` does)
#   docker build --target prebuilt -t distilled:local DIR  from a context prepared outside Docker:
#       DIR holds package.json, node_modules (npm ci --omit=dev), dist/ (npm run build) and docker/;
#       `npm run test:compose` uses it where npm cannot run inside a container.
# NODE_IMAGE picks the Node 20 base; the default is the public image.
#
# The prebuilt stage comes before the source stages on purpose: the classic builder (Debian's
# docker.io) builds every stage up to --target, and the source stages need npm's registry.
ARG NODE_IMAGE=node:20-slim

# --- runtime-base: what both runtime stages share ------------------------------------------
FROM ${NODE_IMAGE} AS runtime-base
ENV NODE_ENV=production
WORKDIR /app
# Replicas keep their logs under ./data/<node id> (the default DISTILLED_DATA_DIR); the
# directory must exist and belong to `node` so a volume mounted on it is writable.
RUN mkdir -p /app/data && chown node:node /app/data
# gRPC (replicas) and HTTP (API).
EXPOSE 50051 5000
# Healthy = ready: a replica that leads or follows and refuses nothing (the API's compose
# service checks GET /health/ready instead). See docker/healthcheck.js. The timeout is generous
# because a busy 2-core host can take seconds just to start node.
HEALTHCHECK --interval=10s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "docker/healthcheck.js", "server"]
# Exec form: node gets SIGTERM itself, so a stopping replica resigns and releases its lease.
# The 16 MB young generation is the one libs/launcher/src/node-flags.ts gives every replica
# (bench/RESULTS.md, "The bulk paths", Batches: leader CPU per message -25 to -42%).
CMD ["node", "--min-semi-space-size=16", "dist/apps/server/main.js"]

# --- prebuilt: production dependencies and dist/ taken from the build context ---------------
FROM runtime-base AS prebuilt-deps
COPY docker/prune-node-modules.sh /tmp/
COPY node_modules ./node_modules
RUN sh /tmp/prune-node-modules.sh node_modules

FROM runtime-base AS prebuilt
COPY package.json ./
COPY --from=prebuilt-deps /app/node_modules ./node_modules
COPY dist ./dist
COPY docker/healthcheck.js ./docker/
USER node

# --- build: all dependencies, compile both apps to dist/ ------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# --- deps: production dependencies only, pruned ----------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY docker/prune-node-modules.sh /tmp/
RUN npm ci --omit=dev --no-audit --no-fund && sh /tmp/prune-node-modules.sh node_modules

# --- runtime (the default target): dist/ and production dependencies, as the `node` user ----
FROM runtime-base AS runtime
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY docker/healthcheck.js ./docker/
USER node
