#!/usr/bin/env bash
# Runs every test: unit and integration tests against a real embedded Kafka broker, real WebSockets and
# real headless Chromium (Debian's chromium and chromium-driver), then the manifest checks.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-java.sh
find_java || exit 1
exec mvn -B verify "$@"
