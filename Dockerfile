# syntax=docker/dockerfile:1
# The Healthie subgraph as a production image: compiled JavaScript (no tsx at run time),
# production dependencies only, a non-root user, and a health check on /healthz.
# Run it with at least HEALTHIE_API_URL and ROUTER_SECRET (see "Production checklist" in README.md).

ARG NODE_IMAGE=node:20.18-bookworm-slim

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
ENV NODE_ENV=production \
    PORT=4001
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
