#!/usr/bin/env bash
# Runs the whole system locally: an embedded Kafka broker (data in ./data/kafka), rooms-, signaling- and
# presence-service and the gateway(s) at http://localhost:8080. Options: --gateways N --port P --data DIR.
# With KAFKA_BOOTSTRAP_SERVERS set it uses that cluster instead of embedding a broker.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-java.sh
find_java || exit 1

jar=launcher/target/huddle-launcher.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./data -prune -o \( -name '*.java' -o -name '*.yaml' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$jar" -print -quit)" ]; then
  echo "Building (mvn -DskipTests install)..." >&2
  mvn -B -q -DskipTests install >&2
fi
# Many connections need many file descriptors; raise the soft limit as far as the hard limit allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec "$JAVA_HOME/bin/java" -XX:+UseZGC -Xmx2g -jar "$jar" "$@"
