#!/usr/bin/env bash
# Load generator for a running Huddle system (./run.sh): ./loadgen.sh <relay|join|idle> [options]
# (./loadgen.sh --help lists them). Talks to loopback gateways only. JVM options: LOADGEN_JAVA_OPTS
# (default -Xmx2g). Builds the module first if its jar is missing.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-java.sh
find_java || exit 1

jar=loadgen/target/huddle-loadgen.jar
if [ ! -f "$jar" ] || [ ! -d loadgen/target/libs ]; then
  echo "Building the load generator (mvn -pl loadgen -am package -DskipTests)..." >&2
  mvn -B -q -pl loadgen -am package -DskipTests >&2
fi
# Every connection is a file descriptor; thousands of idle ones need the soft limit raised to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# shellcheck disable=SC2086 # LOADGEN_JAVA_OPTS is a list of options
exec "$JAVA_HOME/bin/java" ${LOADGEN_JAVA_OPTS:--Xmx2g} -cp "$jar:loadgen/target/libs/*" dev.huddle.loadgen.Main "$@"
