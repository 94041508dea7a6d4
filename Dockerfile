# syntax=docker/dockerfile:1
# One image for both processes: the replica server (default CMD) and the HTTP API
# (docker-compose overrides the command with `node dist/apps/api/main.js`).

# --- build: all dependencies, compile both apps to dist/ ---------------------------------
FROM node:20-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# --- runtime: production dependencies and dist/ only, as the unprivileged `node` user -----
FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Replicas keep their logs under ./data/<node id> (the default DISTILLED_DATA_DIR); the
# directory must exist and belong to `node` so a volume mounted on it is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# gRPC (replicas) and HTTP (API).
EXPOSE 50051 5000
# Exec form: node gets SIGTERM itself, so a stopping replica resigns and releases its lease.
CMD ["node", "dist/apps/server/main.js"]
