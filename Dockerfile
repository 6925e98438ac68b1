# syntax=docker/dockerfile:1
#
# Estrad: Fastify + socket.io + mediasoup SFU + ffmpeg.
#
#   docker build -t estrad .
#   docker run -d --name estrad \
#     --ulimit nofile=65536:65536 \
#     -e RTC_ANNOUNCED_IP=203.0.113.10 \
#     -p 3000:3000 -p 40000-40001:40000-40001/udp -p 40000-40001:40000-40001/tcp \
#     -p 9000-9009:9000-9009/udp -p 1935:1935/tcp \
#     -v estrad-data:/data -v estrad-recordings:/recordings estrad
# Each of the MEDIASOUP_WORKERS=2 workers serves every viewer and speaker on one UDP and one
# TCP port (RTC_PORT + worker number), so 4 published ports serve any audience; with more
# workers, publish 40000 to 40000 + MEDIASOUP_WORKERS - 1. The server asks for 4 MB socket
# buffers itself; the host's net.core.rmem_max caps them (see README: Benchmarks).
# Open files: every viewer's connection, HLS request and recording file is a file descriptor.
# Node raises its soft limit to the hard one by itself, so the hard limit is what counts; a
# Dockerfile cannot set it: pass `--ulimit nofile=65536:65536` (compose: `ulimits: nofile:`).
# The server logs a warning at start-up when it has fewer than 65536.
#
# RTC_ANNOUNCED_IP MUST be set to the host's public IP when running in Docker: mediasoup
# otherwise announces the container's private address in its ICE candidates and browsers
# outside the host cannot reach the media ports.

############################ build stage ############################
FROM node:22-bookworm AS build

# The mediasoup worker is built from source with meson against Debian's libraries, the SQLite
# addon with node-gyp (python3, make). The same list as WORKER_BUILD_PACKAGES in setup.mjs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
      meson ninja-build pkg-config flatbuffers-compiler \
      libssl-dev libuv1-dev libabsl-dev libflatbuffers-dev \
 && rm -rf /var/lib/apt/lists/*

# The project is developed with npm 11 (Vite 8 does not install with node:20's npm 10).
RUN npm install -g npm@11

WORKDIR /app
# Keeps setup.mjs's worker cache inside this stage instead of the image's home dir.
ENV XDG_CACHE_HOME=/tmp/estrad-cache

# Dependencies and the worker first: this layer (about 11 minutes of compiling) is
# reused as long as the lockfile, the patches and the setup scripts stay the same.
COPY package.json package-lock.json .npmrc ./
COPY patches/ patches/
# Only the setup scripts: other files in scripts/ change often and would rebuild the worker layer.
COPY scripts/setup.mjs scripts/setup.mjs
COPY scripts/mediasoup-worker/ scripts/mediasoup-worker/
RUN npm ci --no-audit --no-fund
RUN node scripts/setup.mjs

COPY . .
RUN npm run build

# The runtime needs only the worker binary from mediasoup's worker/ tree (sources and
# object files there are a few hundred MB).
RUN npm prune --omit=dev --no-audit --no-fund \
 && mv node_modules/mediasoup/worker/out/Release/mediasoup-worker /tmp/mediasoup-worker \
 && rm -rf node_modules/mediasoup/worker \
 && mkdir -p node_modules/mediasoup/worker/out/Release \
 && mv /tmp/mediasoup-worker node_modules/mediasoup/worker/out/Release/mediasoup-worker

############################ runtime stage ############################
FROM node:22-bookworm-slim AS runtime

# tini as PID 1 forwards SIGTERM to node and reaps the mediasoup-worker and ffmpeg
# child processes. The worker links Debian's OpenSSL 3, libuv and abseil (flatbuffers is headers only).
# fonts-dejavu-core: the letters of the default slate (ffmpeg drawtext).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini fonts-dejavu-core \
      libssl3 libuv1 libabsl20220623 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The node image ships a `node` user (uid 1000); create it if a base image lacks it.
# Ownership must be set before VOLUME: later changes to a volume path are discarded.
RUN (id -u node >/dev/null 2>&1 || useradd --create-home --uid 1000 node) \
 && mkdir -p /data /recordings \
 && chown node:node /data /recordings

ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    RECORDINGS_DIR=/recordings \
    MEDIASOUP_WORKERS=2 \
    RTC_PORT=40000 \
    INGEST_SRT_PORTS=9000-9009 \
    INGEST_RTMP_PORTS=1935
# Set at run time, e.g. `docker run -e RTC_ANNOUNCED_IP=<host public IP>` (see the top).

VOLUME ["/data", "/recordings"]
USER node

# SRT ingest points listen on UDP, RTMP ones on TCP.
EXPOSE 3000/tcp 40000-40001/udp 40000-40001/tcp 9000-9009/udp 1935/tcp

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server/main.js"]
