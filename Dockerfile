# flinks-mock as a CI sidecar: one static binary and the CA certificates on
# an empty (scratch) image, listening on every interface of the container,
# with a health check that needs no shell.
#
#   docker build -t flinks-mock --build-arg VERSION=v1.2.0 .
#   docker run --rm -p 8080:8080 flinks-mock
#
# Scenario files: mount a directory at /scenarios and name it, e.g.
#   docker run --rm -p 8080:8080 -v ./examples/scenarios:/scenarios:ro \
#     -e FLINKS_MOCK_SCENARIOS=/scenarios flinks-mock
# Every serve flag has an environment variable FLINKS_MOCK_<FLAG>; see
# docs/ci.md.
#
# The binary comes from the stage BINARY names. By default it is "compile",
# which builds it in a Go image. build/image.sh builds it with the local Go
# toolchain instead and passes BINARY=prebuilt, so the image builds with no
# base image to pull (what CI does, with buildah). Both run
# build/flinks-mock.sh, and the runtime stage is the same.
ARG BINARY=compile

# The builder runs on the build machine's own platform and cross-compiles,
# so a multi-platform build needs no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS compile
WORKDIR /src
# Modules first, so the download is cached while only the source changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG TARGETOS
ARG TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH sh build/flinks-mock.sh /out/flinks-mock "$VERSION" && \
    cp /etc/ssl/certs/ca-certificates.crt /out/ca-certificates.crt

# The binary and certificates build/image.sh put in dist/.
FROM scratch AS prebuilt
COPY dist/flinks-mock dist/ca-certificates.crt /out/

FROM ${BINARY} AS binary

FROM scratch
ARG VERSION=devel
LABEL org.opencontainers.image.title="flinks-mock" \
      org.opencontainers.image.description="A local, scriptable fake of the Flinks banking-data API, with a contract-test harness" \
      org.opencontainers.image.source="https://github.com/flinks-mock/flinks-mock" \
      org.opencontainers.image.url="https://github.com/flinks-mock/flinks-mock" \
      org.opencontainers.image.documentation="https://github.com/flinks-mock/flinks-mock/blob/main/docs/ci.md" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="$VERSION"
COPY --from=binary /out/flinks-mock /flinks-mock
# For record --upstream https://..., the one outbound TLS the mock makes.
COPY --from=binary /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# Outside a container serve stays on loopback; inside, the port must be
# reachable from the host and from other containers.
ENV FLINKS_MOCK_ADDR=0.0.0.0:8080
EXPOSE 8080
# A user of no name (scratch has no /etc/passwd), as a number so that
# Kubernetes' runAsNonRoot can check it.
USER 65532:65532
# Exec form: the image has no shell. The probe reads FLINKS_MOCK_ADDR like
# serve does and dials 127.0.0.1 for 0.0.0.0.
HEALTHCHECK --interval=2s --timeout=2s --start-period=1s --retries=3 CMD ["/flinks-mock", "healthcheck"]
ENTRYPOINT ["/flinks-mock"]
CMD ["serve"]
