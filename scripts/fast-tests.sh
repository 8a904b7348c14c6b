#!/usr/bin/env bash
# Prints the test classes that need no broker, browser, packaged jar or running system: the unit tests.
# A test class is "slow" when its source names one of the markers below, or a test-source class that does
# (followed to a fixed point), so a new integration test is left out of the fast loop without a tag.
set -euo pipefail
cd "$(dirname "$0")/.."
markers='KafkaExtension|EmbeddedKafka|TestBus|LocalCluster|Browsers|PackagedServices'
mapfile -t sources < <(find . -path ./data -prune -o -path '*/src/test/java/*' -name '*.java' -print | sort)
slow=()
while :; do
  pattern="$markers"
  [ ${#slow[@]} -gt 0 ] && pattern="$pattern|$(printf '\\b%s\\b|' "${slow[@]}" | sed 's/|$//')"
  mapfile -t next < <(grep -lE "$pattern" "${sources[@]}" | xargs -n1 basename | sed 's/\.java$//' | sort -u)
  [ "${#next[@]}" -eq "${#slow[@]}" ] && break
  slow=("${next[@]}")
done
for f in "${sources[@]}"; do
  c=$(basename "$f" .java)
  [[ "$c" == *Test ]] || continue
  printf '%s\n' "${slow[@]}" | grep -qx "$c" || echo "$c"
done
