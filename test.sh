#!/usr/bin/env bash
# Runs every test: unit and integration tests against a real embedded Kafka broker, real WebSockets and
# real headless Chromium (Debian's chromium and chromium-driver), then the manifest checks.
#   ./test.sh          the whole suite (what CI runs)
#   ./test.sh --fast   unit tests and manifest checks only: no broker, browser or packaged jar (scripts/fast-tests.sh)
# Any other arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-java.sh
find_java || exit 1
if [ "${1:-}" = "--fast" ]; then
  shift
  tests=$(scripts/fast-tests.sh | paste -sd, -)
  exec mvn -B verify -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false "$@"
fi
exec mvn -B verify "$@"
