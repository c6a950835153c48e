# flinks-mock as a CI sidecar: one static binary on distroless, listening on
# every interface of the container, with a health check that needs no shell.
#
#   docker build -t flinks-mock --build-arg VERSION=v1.2.0 .
#   docker run --rm -p 8080:8080 flinks-mock
#
# Scenario files: mount a directory at /scenarios and name it, e.g.
#   docker run --rm -p 8080:8080 -v ./examples/scenarios:/scenarios:ro \
#     -e FLINKS_MOCK_SCENARIOS=/scenarios flinks-mock
# Every serve flag has an environment variable FLINKS_MOCK_<FLAG>; see
# docs/ci.md.

# The builder runs on the build machine's own platform and cross-compiles,
# so a multi-platform build needs no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so the download is cached while only the source changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG TARGETOS
ARG TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH sh build/flinks-mock.sh /out/flinks-mock "$VERSION"

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=devel
LABEL org.opencontainers.image.title="flinks-mock" \
      org.opencontainers.image.description="A local, scriptable fake of the Flinks banking-data API, with a contract-test harness" \
      org.opencontainers.image.source="https://github.com/flinks-mock/flinks-mock" \
      org.opencontainers.image.url="https://github.com/flinks-mock/flinks-mock" \
      org.opencontainers.image.documentation="https://github.com/flinks-mock/flinks-mock/blob/main/docs/ci.md" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/flinks-mock /flinks-mock
# Outside a container serve stays on loopback; inside, the port must be
# reachable from the host and from other containers.
ENV FLINKS_MOCK_ADDR=0.0.0.0:8080
EXPOSE 8080
# 65532 is distroless' nonroot user, written as a number so that
# Kubernetes' runAsNonRoot can check it.
USER 65532:65532
# Exec form: the image has no shell. The probe reads FLINKS_MOCK_ADDR like
# serve does and dials 127.0.0.1 for 0.0.0.0.
HEALTHCHECK --interval=2s --timeout=2s --start-period=1s --retries=3 CMD ["/flinks-mock", "healthcheck"]
ENTRYPOINT ["/flinks-mock"]
CMD ["serve"]
