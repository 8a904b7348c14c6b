#!/usr/bin/env bash
# Runs the whole system locally: an embedded Kafka broker (data in ./data/kafka), rooms-, signaling- and
# presence-service and the gateway(s) at http://localhost:8080. Options: --gateways N --port P --data DIR
# --broker-metrics-port Q. With KAFKA_BOOTSTRAP_SERVERS set it uses that cluster instead of embedding a broker.
# Starts from the JVM's AOT cache (data/aot/, JDK 25+), made once by a short training run (scripts/aot-cache.sh)
# when missing or older than the jar; AOT_CACHE=off starts without it.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-java.sh
find_java || exit 1
. scripts/launcher-opts.sh

jar=$LAUNCHER_JAR
if [ ! -f "$jar" ] || [ ! -f loadgen/target/huddle-loadgen.jar ] || [ -n "$(find . -path ./data -prune -o \( -name '*.java' -o -name '*.yaml' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$jar" -print -quit)" ]; then
  # package, not install: the build stays in this tree's target/ folders and leaves ~/.m2 alone.
  echo "Building (mvn -DskipTests package -pl launcher,loadgen -am)..." >&2
  mvn -B -q -DskipTests package -pl launcher,loadgen -am >&2
fi
aot=()
if [ "${AOT_CACHE:-on}" != off ] && aot_supported; then
  if ! aot_usable "$LAUNCHER_AOT_CACHE"; then
    echo "Creating the JVM's AOT cache with a short training run (once per build; AOT_CACHE=off skips it)..." >&2
    scripts/aot-cache.sh "$LAUNCHER_AOT_CACHE" || echo "No AOT cache (see above): starting without it." >&2
  fi
  aot_usable "$LAUNCHER_AOT_CACHE" && aot=(-XX:AOTCache="$LAUNCHER_AOT_CACHE")
fi
# Many connections need many file descriptors; raise the soft limit as far as the hard limit allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec "$JAVA_HOME/bin/java" "${LAUNCHER_JAVA_OPTS[@]}" "${aot[@]}" -jar "$jar" "$@"
