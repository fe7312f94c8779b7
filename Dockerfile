# syntax=docker/dockerfile:1
# Tollgate: one image with the server binary and the built SPA.

FROM node:20-bookworm-slim AS spa
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
COPY openapi/ /src/openapi/
RUN npx --no-install vite build

FROM rust:1.95-bookworm AS server
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates/ crates/
COPY migrations/ migrations/
RUN cargo build --release -p tollgate

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/tollgate --create-home tollgate
COPY --from=server /src/target/release/tollgate /usr/local/bin/tollgate
COPY --from=spa /src/frontend/dist /usr/share/tollgate/frontend
ENV TOLLGATE_BIND=0.0.0.0:8080 \
    TOLLGATE_DATA_DIR=/var/lib/tollgate \
    TOLLGATE_DATABASE_URL=sqlite:///var/lib/tollgate/tollgate.db \
    TOLLGATE_FRONTEND_DIR=/usr/share/tollgate/frontend \
    TOLLGATE_LOG_FORMAT=json
USER tollgate
WORKDIR /var/lib/tollgate
VOLUME /var/lib/tollgate
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
ENTRYPOINT ["tollgate"]
CMD ["serve"]
