# syntax=docker/dockerfile:1
#
# The karmada-manager image: a static binary on distroless, running as UID 65532.
#
#   docker build -t <registry>/karmada-manager:<tag> .
#   docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/karmada-manager:<tag> --push .
#
# The build stage is Alpine: Rust's *-linux-musl targets link statically by default, so the
# binary needs no libc in the final image. ring (rustls' crypto) needs a C compiler and musl's
# headers; jemalloc, the binary's allocator in place of musl's, also needs make. Each platform
# builds natively (buildx runs arm64 under emulation when needed).

FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev make
WORKDIR /src
# The whole workspace: cargo resolves every member's manifest even when building one package.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --package karmada-manager --bin karmada-manager \
    && cp target/release/karmada-manager /karmada-manager

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /karmada-manager /karmada-manager
# distroless' nonroot user; the chart's securityContext says the same.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/karmada-manager"]
CMD ["run"]
