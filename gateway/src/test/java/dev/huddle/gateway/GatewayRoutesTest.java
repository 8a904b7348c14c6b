package dev.huddle.gateway;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.helidon.webserver.testing.junit5.SetUpServer;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The gateway's plain HTTP side on a real server (Helidon's test kit): pages, links, CSP, the /ws gate. */
@ServerTest
class GatewayRoutesTest {
    private static final AtomicBoolean DRAINING = new AtomicBoolean();
    private final Http1Client client;

    GatewayRoutesTest(Http1Client client) {
        this.client = client;
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) {
        GatewayRoutes.staticContent().ifPresent(server::addFeature);
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        new GatewayRoutes(OriginPolicy.parse(""), DRAINING::get, new AddressLimits(0, 0), ClientAddress.trusting("")).register(routing);
        routing.get("/ws", (req, res) -> res.send("upgrade would happen here"));
    }

    @AfterEach
    void notDraining() {
        DRAINING.set(false);
    }

    @Test
    void theWebClientIsServedWithAContentSecurityPolicy() {
        try (Http1ClientResponse res = client.get("/").request()) {
            assertThat(res.status(), is(Status.OK_200));
            assertThat(res.as(String.class), containsString("data-testid=\"join\""));
            assertThat(res.headers().first(GatewayRoutes.CSP).orElse(""), containsString("default-src 'self'"));
        }
    }

    @Test
    void aRoomLinkOpensTheSamePage() {
        for (String link : List.of("/r/standup", "/r/standup/", "/r/stand%20up")) {
            try (Http1ClientResponse res = client.get(link).request()) {
                assertThat(link, res.status(), is(Status.OK_200));
                assertThat(res.headers().first(HeaderNames.CONTENT_TYPE).orElse(""), containsString("text/html"));
                assertThat(res.as(String.class), containsString("data-testid=\"room\""));
            }
        }
    }

    @Test
    void aForeignOriginCannotOpenASocket() {
        try (Http1ClientResponse res = client.get("/ws").header(HeaderNames.ORIGIN, "https://evil.example").request()) {
            assertThat(res.status(), is(Status.FORBIDDEN_403));
        }
        try (Http1ClientResponse res = client.get("/ws").request()) { // no Origin: not a browser, allowed
            assertThat(res.status(), is(Status.OK_200));
        }
    }

    @Test
    void aDrainingGatewayTurnsNewSocketsAway() {
        DRAINING.set(true);
        try (Http1ClientResponse res = client.get("/ws").request()) {
            assertThat(res.status(), is(Status.SERVICE_UNAVAILABLE_503));
        }
    }
}
