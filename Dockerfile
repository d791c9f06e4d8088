# One image for every service: `docker build --build-arg SERVICE=user .` (compose.yaml does this).
# The workspace is installed whole (the services share shared/*), then the one service runs.
# The web console is built in a stage of its own (Vite is a development dependency) and its files
# copied in; the gateway serves them at /.
FROM oven/bun:1.4.5 AS console
WORKDIR /app
COPY . .
RUN bun install --frozen-lockfile --ignore-scripts && bun run --cwd console build

FROM oven/bun:1.4.5 AS install
WORKDIR /app
COPY . .
RUN bun install --frozen-lockfile --production --ignore-scripts

FROM oven/bun:1.4.5
WORKDIR /app
ARG SERVICE
# Reachable on the container network (compose and Kubernetes keep that network to the platform).
ENV SERVICE=${SERVICE} NODE_ENV=production HOST=0.0.0.0
# JavaScriptCore paces its collector by the RAM it believes it has, and Bun reads no container limit:
# it would see the whole node's. Told a service's memory limit, it collects sooner and stays lean
# under load (BENCHMARKS.md, 2026-11-26 fifth session); Bun's counterpart of Node's
# --max-old-space-size. deploy/k8s passes each pod's own limit; this is the default elsewhere
# (compose), the 384 MiB of those pods.
ENV BUN_JSC_forceRAMSize=402653184
COPY --from=install --chown=bun:bun /app /app
COPY --from=console --chown=bun:bun /app/console/dist /app/console/dist
# The data folder exists and belongs to bun, so a volume mounted there (signing keys) is writable.
RUN mkdir -p /app/.data/keys && chown -R bun:bun /app/.data
USER bun
# Shell form so $SERVICE expands; exec so the service gets SIGTERM directly and shuts down gracefully.
CMD ["sh", "-c", "exec bun services/${SERVICE}/src/main.ts"]
