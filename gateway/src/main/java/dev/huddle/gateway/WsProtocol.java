package dev.huddle.gateway;

import io.helidon.webserver.websocket.WsConfig;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Helidon's WebSocket settings for the gateway. Helidon checks the Origin itself before any of our code runs, and
 * knows only exact origins (or, with none configured, the request's own host): it cannot express
 * {@code http://localhost:*}. So this config lets every origin pass Helidon's check, and the allow-list is
 * applied by {@link GatewayRoutes}' filter, which can also answer 403 (a listener's refusal is a 400).
 *
 * @param maxFrameLength Helidon's own limit per frame. Helidon checks it on the frame's header, before it buffers the
 *                       payload, and answers a bigger frame with a bare 1009 close (measured: no stall, but no
 *                       {@code onClose} and no chance for our {@code too_large} push either). It is twice the
 *                       protocol's {@code gateway.max.frame.bytes}: a frame just over the protocol's limit still gets
 *                       {@code too_large} then 1009 from {@link FrameIntake}, a huge one is cut by Helidon at its header,
 *                       and no connection ever buffers more than twice the limit (it was 1 MiB)
 */
record WsProtocol(int maxFrameLength) implements WsConfig {
    private static final Set<String> EVERY_ORIGIN = new AbstractSet<>() {
        @Override
        public boolean contains(Object o) {
            return true;
        }

        @Override
        public Iterator<String> iterator() {
            return List.of("*").iterator();
        }

        @Override
        public int size() {
            return 1; // not empty: empty means "same host only" to Helidon
        }
    };

    static WsProtocol forFrameLimit(int maxFrameBytes) {
        return new WsProtocol((int) Math.min(Integer.MAX_VALUE, 2L * maxFrameBytes));
    }

    @Override
    public Set<String> origins() {
        return EVERY_ORIGIN;
    }

    @Override
    public String name() {
        return "websocket";
    }
}
