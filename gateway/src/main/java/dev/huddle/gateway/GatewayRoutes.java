package dev.huddle.gateway;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.StaticContentFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The gateway's plain HTTP side: the filter in front of {@code /ws} (Origin allow-list, refusal while draining),
 * the web client from the classpath folder {@code web} at {@code /} and {@code /r/{name}} (a room's link opens
 * the same page), and the Content-Security-Policy on pages.
 */
final class GatewayRoutes {
    private static final System.Logger LOG = System.getLogger(GatewayRoutes.class.getName());
    static final String WEB = "web";
    static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");
    static final String POLICY = "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob: mediastream:;"
            + " img-src 'self' data:; style-src 'self'; object-src 'none'; frame-ancestors 'none'";

    static final HeaderName FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");

    private final OriginPolicy origins;
    private final BooleanSupplier draining;
    private final AddressLimits limits;
    private final ClientAddress clientAddress;

    GatewayRoutes(OriginPolicy origins, BooleanSupplier draining, AddressLimits limits, ClientAddress clientAddress) {
        this.origins = origins;
        this.draining = draining;
        this.limits = limits;
        this.clientAddress = clientAddress;
    }

    void register(HttpRouting.Builder routing) {
        routing.addFilter(this::filter)
                .get("/r/{name}", this::roomPage)
                .get("/r/{name}/", this::roomPage); // a link pasted with a trailing slash opens the room too
    }

    /** Serves {@code web/} at {@code /}, when the web client is on the class path. */
    static Optional<StaticContentFeature> staticContent() {
        if (GatewayRoutes.class.getClassLoader().getResource(WEB + "/index.html") == null) {
            LOG.log(Level.WARNING, "No web client on the class path (" + WEB + "/index.html): / is not served");
            return Optional.empty();
        }
        return Optional.of(StaticContentFeature.create(b -> b.addClasspath(cp -> cp
                .location(WEB)
                .context("/")
                .welcome("index.html"))));
    }

    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.path().path().equals("/ws")) {
            Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
            String host = req.headers().first(HeaderNames.HOST).orElse(null);
            if (origin.isPresent() && !origins.allows(origin.get(), host)) {
                res.status(Status.FORBIDDEN_403).send("Origin not allowed");
                return;
            }
            if (draining.getAsBoolean()) {
                res.status(Status.SERVICE_UNAVAILABLE_503).send("This gateway is shutting down; connect again");
                return;
            }
            String address = clientAddress.resolve(req.remotePeer().address(),
                    req.headers().first(FORWARDED_FOR).orElse(null));
            AddressLimits.Refusal refusal = limits.tryOpen(address, System.currentTimeMillis());
            if (refusal != null) {
                res.status(Status.TOO_MANY_REQUESTS_429).send(refusal == AddressLimits.Refusal.TOO_MANY_OPEN
                        ? "Too many connections from your address (at most " + limits.maxOpen() + " at once)"
                        : "Too many new connections from your address (at most " + limits.perSecond() + " a second)");
                return;
            }
            try {
                chain.proceed();
            } finally {
                if (res.status().code() != Status.SWITCHING_PROTOCOLS_101.code()) {
                    limits.closed(address); // no connection came of it: its slot is free again
                }
            }
            return;
        } else if (!req.path().path().startsWith("/admin")) { // the admin API sets its own, stricter policy
            res.header(CSP, POLICY);
        }
        chain.proceed();
    }

    private void roomPage(ServerRequest req, ServerResponse res) {
        try (InputStream in = resource(WEB + "/index.html")) {
            if (in == null) {
                res.status(Status.NOT_FOUND_404).send("No web client installed");
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8").send(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        return GatewayRoutes.class.getClassLoader().getResourceAsStream(name);
    }
}
