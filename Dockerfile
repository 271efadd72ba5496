# Akked's container image: docker build -t akked .
# Three stages. "build" compiles the server and the dashboard with every dependency; "assemble"
# makes the production installation with scripts/assemble-production.sh, the script that
# test/production-install.test.ts runs (locked runtime dependencies only, no TypeScript, Vite or
# React); "runtime" copies only that. The image runs as the unprivileged user "node" and writes
# nothing but its data volume, so a read-only root filesystem works (compose.yaml sets read_only).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS assemble
COPY --from=build /src/package.json /src/package-lock.json /src/
COPY --from=build /src/bin/akked /src/bin/akked
COPY --from=build /src/scripts/assemble-production.sh /src/scripts/assemble-production.sh
COPY --from=build /src/dist /src/dist
COPY --from=build /src/dashboard/dist /src/dashboard/dist
RUN sh /src/scripts/assemble-production.sh /src /app && chmod -R a-w /app

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    AKKED_DATA_DIR=/data \
    LOG_FORMAT=json
COPY --from=assemble /app /app
RUN mkdir /data && chown node:node /data
USER node
WORKDIR /app
VOLUME /data
EXPOSE 3000
# The default command is the all-in-one "serve"; compose.yaml runs "migrate", "api" and "worker".
ENTRYPOINT ["node", "/app/bin/akked"]
CMD ["serve"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.AKKED_METRICS_PORT||process.env.PORT)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
