# Tally in a container: a build stage with the Rust toolchain, Node (for
# wasm-opt) and the repository's own bootstrap, and a small runtime with
# nothing but the binary (its site is inside it), CA certificates and curl
# for the health check. Runs as a non-root user; state lives in /data.
#
#   docker build -t tally .
#   docker run -p 3000:3000 -v tally-data:/data tally
#
# Several replicas on PostgreSQL: see docker-compose.yml.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same steps as `make build`: wasm-bindgen at the lockfile's version,
# wasm-opt, the release site, then the release server with the site inside.
RUN bash scripts/bootstrap.sh && bash scripts/build-site.sh release

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tally \
 && mkdir -p /data && chown tally:tally /data && chmod 0700 /data
COPY --from=build /src/target/release/tally /usr/local/bin/tally
USER tally
WORKDIR /data
ENV TALLY_ADDR=0.0.0.0:3000 \
    TALLY_DATA_DIR=/data \
    DATABASE_URL=sqlite:///data/tally.db \
    TALLY_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/readyz || exit 1
ENTRYPOINT ["tally"]
CMD ["serve"]
