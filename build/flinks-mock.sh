#!/bin/sh
# Builds the flinks-mock binary the way every release is built: static (no
# cgo), with no local paths and no debug symbols, and with the version
# stamped in. The Dockerfile and the image tests both call this script, so
# the build command lives here alone.
#
# Usage: build/flinks-mock.sh OUT [VERSION]
#   OUT      path of the binary to write (relative to the current directory)
#   VERSION  what 'flinks-mock version' prints, e.g. v1.2.0 (default: the
#            version Go records, or "devel")
#
# GOOS and GOARCH from the environment pick the target, as for go build.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
	echo "usage: $0 OUT [VERSION]" >&2
	exit 2
fi
out=$1
version=${2:-}
case $out in
/*) ;;
*) out=$PWD/$out ;;
esac

# The module root is the parent of this script's folder, wherever it is
# called from.
cd "$(dirname "$0")/.."

CGO_ENABLED=0 go build -trimpath \
	-ldflags "-s -w -X github.com/flinks-mock/flinks-mock/cmd/flinks-mock/internal/cli.version=$version" \
	-o "$out" ./cmd/flinks-mock
