# Sourced by run.sh, scripts/aot-cache.sh and scripts/warm-start-bench.sh: the launcher's JVM flags, in one place
# because an AOT cache is only used by a JVM started with the flags it was trained with.
LAUNCHER_JAR=launcher/target/huddle-launcher.jar
LAUNCHER_JAVA_OPTS=(-XX:+UseZGC -Xmx2g)
# Where run.sh keeps the launcher's AOT cache (beside the broker's default data; data/ is not committed).
LAUNCHER_AOT_CACHE=data/aot/huddle-launcher.aot

# Whether this JDK can write an AOT cache in one step (-XX:AOTCacheOutput: JDK 25+, JEP 514).
aot_supported() {
  "$JAVA_HOME/bin/java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q '\bAOTCacheOutput\b'
}

# What a cache depends on besides the jar's contents: the exact JDK build and the flags.
aot_key() {
  echo "$("$JAVA_HOME/bin/java" -version 2>&1 | tr '\n' ' ') ${LAUNCHER_JAVA_OPTS[*]}"
}

# Whether CACHE can serve the current jar, JDK and flags (the JVM would refuse a stale one with errors).
aot_usable() {
  local cache=$1
  [ -s "$cache" ] && [ "$cache" -nt "$LAUNCHER_JAR" ] && [ -f "$cache.key" ] && [ "$(cat "$cache.key")" = "$(aot_key)" ]
}
