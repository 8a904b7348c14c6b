# One image per service, from the jars Maven built (build them first: mvn -DskipTests package):
#
#   docker build --build-arg MODULE=gateway           --build-arg PORT=8080 -t REG/huddle-gateway:TAG .
#   docker build --build-arg MODULE=rooms-service     --build-arg PORT=8081 -t REG/huddle-rooms-service:TAG .
#   docker build --build-arg MODULE=signaling-service --build-arg PORT=8082 -t REG/huddle-signaling-service:TAG .
#   docker build --build-arg MODULE=presence-service  --build-arg PORT=8083 -t REG/huddle-presence-service:TAG .
#
# The image holds <module>/target/huddle-<module>.jar as /app/app.jar and its dependencies in /app/libs/
# (the jar's manifest names them as libs/...). Settings come from environment variables
# (KAFKA_BOOTSTRAP_SERVERS, ...: docs/deploy.md). deploy-tests starts each jar with this ENTRYPOINT's flags.
# The base image is pinned by digest (a tag moves; a digest is one image): update it on purpose, e.g. to the
# digest `docker buildx imagetools inspect eclipse-temurin:25-jre` prints, and rebuild.
FROM eclipse-temurin:25-jre@sha256:fcd7fd7b387f94bb2ac461478a7436ad8e349924c374ea8313919624dceae636

# Which Maven module: gateway, rooms-service, signaling-service or presence-service.
ARG MODULE
# Its server.port (documentation only: EXPOSE opens nothing).
ARG PORT=8080

RUN test -n "$MODULE" || { echo "Build with --build-arg MODULE=<gateway|rooms-service|...>" >&2; exit 1; }

WORKDIR /app
# Dependencies first: they change less often than the service's own jar, so their layer is reused.
COPY ${MODULE}/target/libs/ /app/libs/
COPY ${MODULE}/target/huddle-${MODULE}.jar /app/app.jar

# The JVM's ahead-of-time cache (JDK 25: JEP 483/514/515): a training start with the ENTRYPOINT's own flags and
# jar path (a cache serves only the same class path and flags), with no broker to reach (none runs at image
# build), stopped after 20 s; on that exit the JVM writes the classes it loaded and linked and the profiles it
# gathered to /app/app.aot, which the ENTRYPOINT maps at every start instead of loading them again. If the cache
# cannot be made the build goes on and the service starts without it (the JVM says so and carries on).
RUN KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 timeout -s TERM 20 java -XX:AOTCacheOutput=/app/app.aot \
        -XX:MaxRAMPercentage=70 -XX:+UseZGC -XX:+ExitOnOutOfMemoryError -jar /app/app.jar >/tmp/aot-training.log 2>&1; \
    if [ -s /app/app.aot ]; then echo "AOT cache: $(du -h /app/app.aot | cut -f1)"; \
    else echo "No AOT cache could be made; the image starts without it:"; tail -5 /tmp/aot-training.log; fi; \
    rm -f /tmp/aot-training.log

# Not root, and numeric so Kubernetes can check runAsNonRoot (k8s runs it as 10001 too). Files stay root's,
# read-only to the service; it writes only to /tmp (an emptyDir on Kubernetes).
USER 10001:10001
EXPOSE ${PORT}

# Heap as a share of the container's memory limit, leaving room for metaspace, threads and Kafka buffers;
# ZGC (generational) keeps pauses far below a signaling hop; die on OutOfMemoryError so Kubernetes restarts
# the pod instead of it limping on. JDK_JAVA_OPTIONS adds flags without rebuilding. java is PID 1, so
# SIGTERM reaches it and the service stops cleanly (clients of a gateway are told to reconnect). -XX:AOTCache
# starts from the cache made above (flags and jar path must stay the same as the training's).
ENTRYPOINT ["java", "-XX:AOTCache=/app/app.aot", "-XX:MaxRAMPercentage=70", "-XX:+UseZGC", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/app.jar"]
