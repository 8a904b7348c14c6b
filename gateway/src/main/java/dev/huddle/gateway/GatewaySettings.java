package dev.huddle.gateway;

import io.helidon.config.Config;

/**
 * The gateway's limits and timings, from the {@code gateway} config node (documented in {@code gateway.yaml}).
 *
 * @param maxFrameBytes    largest client frame (UTF-8 bytes); bigger ones get {@code too_large} and close 1009
 * @param ratePerSecond    token bucket refill per connection
 * @param rateBurst        token bucket size
 * @param requestTimeoutMs a request with a {@code ref} unanswered this long is answered {@code unavailable}
 * @param pingIntervalMs   idle connections are pinged this often; silent for three intervals: closed
 * @param drainMs          on a clean stop, how long clients get to reconnect elsewhere before the 1001 close
 * @param outboundQueue    frames waiting for a slow client before its connection is cut
 * @param outboundBytes    bytes (UTF-8) waiting for a slow client before its connection is cut
 * @param maxPerAddress    connections open at once per client address (0: no cap); more get HTTP 429
 * @param newPerSecond     new connections per second per client address (0: no cap); more get HTTP 429
 * @param clientAddress    who a connection comes from ({@code gateway.trusted.proxies})
 * @param roomsTickMs      how often watchers of the room list get their {@code rooms_changed} deltas
 * @param sweepMs          how often connections are checked for dead sockets and keep-alive
 * @param roomCapacity     announced in {@code hello.limits} (rooms-service enforces it: same key, rooms.capacity)
 * @param heartbeatMs      instance heartbeat interval
 */
record GatewaySettings(int maxFrameBytes, int ratePerSecond, int rateBurst, long requestTimeoutMs,
                       long pingIntervalMs, long drainMs, int outboundQueue, long outboundBytes, int maxPerAddress,
                       int newPerSecond, ClientAddress clientAddress, long roomsTickMs, long sweepMs,
                       int roomCapacity, long heartbeatMs, OriginPolicy origins, IceServers iceServers) {

    static GatewaySettings create(Config config) {
        Config g = config.get("gateway");
        return new GatewaySettings(
                g.get("max.frame.bytes").asInt().orElse(65536),
                g.get("rate.per.second").asInt().orElse(50),
                g.get("rate.burst").asInt().orElse(200),
                g.get("request.timeout.ms").asLong().orElse(5000L),
                g.get("ping.interval.ms").asLong().orElse(20000L),
                g.get("drain.ms").asLong().orElse(5000L),
                g.get("outbound.queue").asInt().orElse(1024),
                g.get("outbound.bytes").asLong().orElse(1L << 20),
                g.get("connections.max.per.address").asInt().orElse(100),
                g.get("connections.rate.per.address").asInt().orElse(20),
                ClientAddress.trusting(g.get("trusted.proxies").asString().orElse("")),
                g.get("rooms.tick.ms").asLong().orElse(1000L),
                g.get("sweep.ms").asLong().orElse(250L),
                config.get("rooms.capacity").asInt().orElse(8),
                config.get("instance.heartbeat.ms").asLong().orElse(2000L),
                OriginPolicy.parse(g.get("allowed.origins").asString().orElse(OriginPolicy.DEFAULT)),
                IceServers.create(g));
    }
}
