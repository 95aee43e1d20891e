# syntax=docker/dockerfile:1
# The Healthie subgraph as a production image: compiled JavaScript (no tsx at run time),
# production dependencies only, a non-root user, and a health check on /healthz.
# Run it with at least HEALTHIE_API_URL and ROUTER_SECRET (see "Production checklist" in README.md).

# Node 24, a long-term support line until 2028-04-30 (Node 20 reached its end of life on
# 2026-04-30). CI runs the test suite on exactly this version too (.ci/image-node).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Build: every dependency, then `npm run build` (tsc -> dist/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies, the compiled code and the committed schema files, which
# dist/subgraph/schema.js reads from ../../schema/.
FROM ${NODE_IMAGE} AS runtime
# A young generation of 16 MB per semi-space, as V8 gives it with 4 GiB of memory or more. Node
# sizes the heap from the container's memory limit, and below 4 GiB the young generation shrinks
# (1 MB per semi-space at 512 MiB): at a few hundred KB allocated per entity request that is a
# scavenge every few requests, with the requests in flight promoted to the old space. At 512 MiB
# (emulated as V8 derives it: --max-old-space-size=256 --max-semi-space-size=1), one run
# alternating both measured 1.83 ms of CPU per 20-reference request against 1.00 ms with this
# setting, for an RSS of 110 MB against 142 MB, both flat (README, "Memory"). Override
# NODE_OPTIONS at `docker run` to change it.
ENV NODE_ENV=production \
    PORT=4001 \
    NODE_OPTIONS=--max-semi-space-size=16
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schema ./schema
# The node image's unprivileged user; the files above stay owned by root, so read-only to it.
USER node
EXPOSE 4001
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4001) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
