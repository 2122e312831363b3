# Keygate's production image. One image runs both processes of the production profile; the command picks:
#   API:       node dist/apps/api/src/main.js        (the default CMD)
#   projector: node dist/apps/projector/src/main.js  (projections and the expiry sweeper)
# docker-compose.yml builds it for both services.

# Pinned to a patch release: a rebuild gets the same Node. It must satisfy package.json "engines"
# (test/compose/docker-compose.int-spec.ts checks that).
ARG NODE_IMAGE=node:22.23.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded for this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp takes the headers of the Node in this image instead of downloading them.
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
# The lockfile names every platform's optional native packages, so `npm ci` works on arm64 as on x64.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# The runtime stage gets the compiled output and the production dependencies (native modules already
# built above), without compilers, dev dependencies or sources.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's own unprivileged user (uid 1000). The production profile keeps no state on local disk:
# events live in KurrentDB and read models in MongoDB, so /app stays owned by root and read-only to it.
# One exception: the projector's audit signing key, generated on first start unless KEYGATE_AUDIT_KEY_FILE
# names one, lives in /var/lib/keygate (a volume in docker-compose.yml), owned by node.
RUN mkdir -p /var/lib/keygate && chown node:node /var/lib/keygate
USER node
EXPOSE 3000 3001
CMD ["node", "dist/apps/api/src/main.js"]
