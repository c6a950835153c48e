#!/bin/sh
# Builds the container image with no base image to pull: the binary with
# the local Go toolchain (build/flinks-mock.sh), the CA certificates of
# this machine, and the Dockerfile's runtime stage on scratch.
#
# Usage: build/image.sh TAG [VERSION]
#   TAG      the image name, e.g. flinks-mock:ci
#   VERSION  what 'flinks-mock version' prints (default: the version Go records)
#
# BUILDER picks the tool: buildah (the default when installed) or docker.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
	echo "usage: $0 TAG [VERSION]" >&2
	exit 2
fi
tag=$1
version=${2:-}
cd "$(dirname "$0")/.."

certs=/etc/ssl/certs/ca-certificates.crt
if [ ! -r "$certs" ]; then
	echo "$0: $certs is missing: install the ca-certificates package" >&2
	exit 1
fi
mkdir -p dist
sh build/flinks-mock.sh dist/flinks-mock "$version"
cp "$certs" dist/ca-certificates.crt

builder=${BUILDER:-}
if [ -z "$builder" ]; then
	if command -v buildah >/dev/null; then builder=buildah; else builder=docker; fi
fi
set -- --build-arg BINARY=prebuilt --build-arg "VERSION=${version:-devel}" -t "$tag"
case $builder in
buildah) buildah build --format docker --isolation chroot --pull=never "$@" . ;;
docker) docker build "$@" . ;;
*) echo "$0: BUILDER=$builder: use buildah or docker" >&2; exit 2 ;;
esac
