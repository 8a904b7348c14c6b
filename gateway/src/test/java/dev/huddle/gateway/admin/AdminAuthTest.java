package dev.huddle.gateway.admin;

import dev.huddle.gateway.admin.AdminHarness.Endpoint;
import dev.huddle.gateway.admin.AdminHarness.Login;
import dev.huddle.gateway.admin.AdminHarness.Reply;
import dev.huddle.testing.KafkaExtension;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-in, sessions, Bearer tokens, rate limits, CSRF and read-only mode. */
@ExtendWith(KafkaExtension.class)
class AdminAuthTest {
    private static AdminHarness kafka;
    private static Endpoint admin;
    private static Endpoint readonly;
    private static Endpoint strict;

    @BeforeAll
    static void start() throws Exception {
        kafka = new AdminHarness();
        admin = kafka.endpoint(false, 1000);
        readonly = kafka.endpoint(true, 1000);
        strict = kafka.endpoint(false, 3);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyCallWithoutSignInIs401Json() throws Exception {
        for (String path : List.of("/admin/api/overview", "/admin/api/sockets", "/admin/api/rooms",
                "/admin/api/servers", "/admin/api/history", "/admin/api/events", "/admin/api/me",
                "/admin/api/nothing-here")) {
            Reply reply = admin.get(path);
            assertEquals(401, reply.status(), path);
            assertTrue(reply.header("Content-Type").startsWith("application/json"), path);
            assertEquals("unauthorized", reply.errorCode(), path);
        }
        for (String action : List.of("disconnect", "kick", "close", "lock", "notice", "logout")) {
            Reply reply = admin.post("/admin/api/" + action, "{\"room\":\"a\"}");
            assertEquals(401, reply.status(), action);
        }
        assertEquals(401, admin.get("/admin/api/overview", "Authorization", "Bearer not-a-token").status());
        assertEquals(401, admin.get("/admin/api/overview", "Cookie", AdminApi.COOKIE + "=forged").status());
    }

    @Test
    void wrongCredentialsAre401() throws Exception {
        Reply wrongPassword = admin.post("/admin/api/login",
                "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\"guess\"}");
        assertEquals(401, wrongPassword.status());
        assertEquals("wrong_credentials", wrongPassword.errorCode());
        assertEquals(null, wrongPassword.header("Set-Cookie"));
        Reply wrongUser = admin.post("/admin/api/login",
                "{\"user\":\"root\",\"password\":\"" + AdminHarness.PASSWORD + "\"}");
        assertEquals(401, wrongUser.status());
        assertEquals(400, admin.post("/admin/api/login", "{\"user\":\"ops\"}").status());
        assertEquals(400, admin.post("/admin/api/login", "not json").status());
    }

    @Test
    void loginSetsASafeCookieAndReturnsCsrfAndToken() throws Exception {
        Login login = admin.login();
        String setCookie = login.reply().header("Set-Cookie");
        assertTrue(setCookie.startsWith(AdminApi.COOKIE + "="), setCookie);
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
        assertTrue(setCookie.contains("Path=/admin"), setCookie);
        assertFalse(setCookie.contains("Secure"), "plain HTTP here: " + setCookie);
        String value = login.cookie().substring(login.cookie().indexOf('=') + 1);
        assertTrue(value.length() >= 22, "at least 128 bits of base64: " + value.length());
        assertEquals(AdminHarness.USER, login.reply().json().get("user").asText());
        assertFalse(login.reply().json().get("readonly").asBoolean());
        assertTrue(login.csrf().length() >= 22);
        assertEquals(value, login.token());

        Reply me = admin.get("/admin/api/me", "Cookie", login.cookie());
        assertEquals(200, me.status());
        assertEquals(login.csrf(), me.json().get("csrf").asText());
        assertEquals(200, admin.get("/admin/api/overview", "Authorization", "Bearer " + login.token()).status());

        // Behind a TLS-terminating proxy the cookie is Secure.
        Reply proxied = admin.post("/admin/api/login", "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\""
                + AdminHarness.PASSWORD + "\"}", "X-Forwarded-Proto", "https");
        assertTrue(proxied.header("Set-Cookie").contains("Secure"), proxied.header("Set-Cookie"));
        assertNotEquals(login.token(), proxied.json().get("token").asText());
    }

    @Test
    void logoutEndsTheSession() throws Exception {
        Login login = admin.login();
        Reply out = admin.post("/admin/api/logout", "{}", "Cookie", login.cookie());
        assertEquals(200, out.status());
        assertTrue(out.header("Set-Cookie").contains("Expires=Thu, 1 Jan 1970"), out.header("Set-Cookie"));
        assertEquals(401, admin.get("/admin/api/overview", "Cookie", login.cookie()).status());
        assertEquals(401, admin.get("/admin/api/overview", "Authorization", "Bearer " + login.token()).status());
    }

    @Test
    void aSignInIsValidOnEveryGatewayWithTheSameHashAndCannotBeForged() throws Exception {
        Login login = admin.login();
        // Another gateway (same hash): the cookie, the Bearer token and the CSRF token all work there.
        assertEquals(200, readonly.get("/admin/api/overview", "Cookie", login.cookie()).status());
        assertEquals(login.csrf(), readonly.get("/admin/api/me", "Authorization", "Bearer " + login.token())
                .json().get("csrf").asText());
        // A later expiry with the old MAC, a different MAC, a truncated token: refused.
        String[] parts = login.token().split("\\.");
        long later = Long.parseLong(parts[1]) + 3_600_000;
        for (String forged : List.of(parts[0] + "." + later + "." + parts[2], parts[0] + "." + parts[1] + ".x" + parts[2],
                parts[0] + "." + parts[1], parts[0])) {
            assertEquals(401, admin.get("/admin/api/overview", "Authorization", "Bearer " + forged).status(), forged);
        }
        // A gateway with another password hash does not know it.
        Endpoint other = kafka.endpoint(new AdminSettings(AdminHarness.USER,
                dev.huddle.service.PasswordHash.hash("another password", 1000), false, 60_000, 1000,
                AdminHarness.SESSION_KEY, ""));
        assertEquals(401, other.get("/admin/api/overview", "Cookie", login.cookie()).status());
    }

    @Test
    void withoutAPasswordHashNobodySignsIn() throws Exception {
        for (String hash : List.of("", "the password itself")) {
            Endpoint closed = kafka.endpoint(new AdminSettings(AdminHarness.USER, hash, false, 60_000, 1000,
                    AdminHarness.SESSION_KEY, ""));
            Reply reply = closed.post("/admin/api/login", "{\"user\":\"" + AdminHarness.USER
                    + "\",\"password\":\"the password itself\"}");
            assertEquals(401, reply.status(), hash);
        }
    }

    @Test
    void loginsAreRateLimitedPerAddress() throws Exception {
        String wrong = "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\"nope\"}";
        for (int i = 0; i < 3; i++) {
            assertEquals(401, strict.post("/admin/api/login", wrong).status());
        }
        Reply limited = strict.post("/admin/api/login", wrong);
        assertEquals(429, limited.status());
        assertEquals("rate_limited", limited.errorCode());
        assertNotNull(limited.header("Retry-After"));
        // Even the right password waits: the limit is on attempts, not on failures.
        Reply right = strict.post("/admin/api/login",
                "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\"" + AdminHarness.PASSWORD + "\"}");
        assertEquals(429, right.status());
    }

    @Test
    void actionsNeedTheCsrfToken() throws Exception {
        Login login = admin.login();
        String body = "{\"room\":\"standup\"}";
        Reply none = admin.post("/admin/api/close", body, "Cookie", login.cookie());
        assertEquals(403, none.status());
        assertEquals("csrf", none.errorCode());
        Reply wrong = admin.post("/admin/api/close", body, "Cookie", login.cookie(), AdminApi.CSRF_HEADER, "x");
        assertEquals(403, wrong.status());
        Reply bearerOnly = admin.post("/admin/api/close", body, "Authorization", "Bearer " + login.token());
        assertEquals(403, bearerOnly.status());
        Reply other = admin.login().csrf().equals(login.csrf()) ? null
                : admin.post("/admin/api/close", body, "Cookie", login.cookie(), AdminApi.CSRF_HEADER,
                admin.login().csrf());
        assertNotNull(other);
        assertEquals(403, other.status(), "another sign-in's token does not count");
        Reply ok = admin.act(login, "close", body);
        assertEquals(200, ok.status(), ok.response().body());
        Reply bearer = admin.post("/admin/api/close", body, "Authorization", "Bearer " + login.token(),
                AdminApi.CSRF_HEADER, login.csrf());
        assertEquals(200, bearer.status(), bearer.response().body());
    }

    @Test
    void readOnlyRefusesEveryAction() throws Exception {
        Login login = readonly.login();
        assertTrue(login.reply().json().get("readonly").asBoolean());
        assertEquals(200, readonly.get("/admin/api/rooms", "Cookie", login.cookie()).status());
        for (String action : List.of("disconnect", "kick", "close", "lock", "notice")) {
            Reply reply = readonly.act(login, action,
                    "{\"room\":\"read-only room\",\"peerId\":\"ro-peer\",\"locked\":true,\"text\":\"hi\"}");
            assertEquals(403, reply.status(), action);
            assertEquals("read_only", reply.errorCode(), action);
        }
        Thread.sleep(300);
        assertTrue(kafka.commands.stream().noneMatch(c -> c.key().equals("read-only room")), "no command sent");
        assertTrue(kafka.deliveries.stream().noneMatch(d -> d.to().contains("ro-peer")), "no delivery sent");
    }

    @Test
    void aSignOutOnOneGatewayEndsTheSessionOnEveryGateway() throws Exception {
        Endpoint second = kafka.endpoint(false, 1000); // another gateway: same session key and password hash
        Login login = admin.login();
        assertEquals(200, second.get("/admin/api/me", "Cookie", login.cookie()).status(), "valid on both");
        Reply out = admin.post("/admin/api/logout", "{}", "Cookie", login.cookie(), AdminApi.CSRF_HEADER, login.csrf());
        assertEquals(200, out.status(), out.response().body());
        assertEquals(401, admin.get("/admin/api/me", "Cookie", login.cookie()).status());
        long deadline = System.currentTimeMillis() + 30_000;
        int status = 200;
        while (status != 401 && System.currentTimeMillis() < deadline) {
            status = second.get("/admin/api/me", "Authorization", "Bearer " + login.token()).status();
            Thread.sleep(100);
        }
        assertEquals(401, status, "the other gateway refuses the signed-out token");
        // a gateway started after the sign-out reads it from the compacted topic
        Endpoint later = kafka.endpoint(false, 1000);
        assertEquals(401, later.get("/admin/api/me", "Cookie", login.cookie()).status());
        assertEquals(200, later.get("/admin/api/me", "Cookie", admin.login().cookie()).status());
    }

    @Test
    void aGatewayWithAnotherSessionKeyRefusesTheToken() throws Exception {
        Login login = admin.login();
        Endpoint other = kafka.endpoint(new AdminSettings(AdminHarness.USER, AdminHarness.HASH, false, 60_000, 1000,
                "another-random-session-key-0123456789", ""));
        assertEquals(401, other.get("/admin/api/me", "Cookie", login.cookie()).status());
    }

    @Test
    void theLimiterKeysOnTheClientBehindTheTrustedProxy() throws Exception {
        // The harness trusts 127.0.0.1 as its proxy: each client address named in X-Forwarded-For has its own bucket,
        // so one client's failed attempts do not lock the operator out.
        String wrong = "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\"nope\"}";
        for (int i = 0; i < 3; i++) {
            assertEquals(401, strict.post("/admin/api/login", wrong, "X-Forwarded-For", "203.0.113.7").status());
        }
        assertEquals(429, strict.post("/admin/api/login", wrong, "X-Forwarded-For", "203.0.113.7").status());
        Reply operator = strict.post("/admin/api/login", "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\""
                + AdminHarness.PASSWORD + "\"}", "X-Forwarded-For", "198.51.100.20");
        assertEquals(200, operator.status(), operator.response().body());
    }

    @Test
    void everySignInAndSignOutIsAnAuditEventNamingTheClient() throws Exception {
        String client = "192.0.2.44";
        admin.post("/admin/api/login", "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\"wrong\"}",
                "X-Forwarded-For", client);
        Reply ok = admin.post("/admin/api/login", "{\"user\":\"" + AdminHarness.USER + "\",\"password\":\""
                + AdminHarness.PASSWORD + "\"}", "X-Forwarded-For", client);
        assertEquals(200, ok.status());
        String token = ok.json().get("token").asText();
        String csrf = ok.json().get("csrf").asText();
        assertEquals(200, admin.post("/admin/api/logout", "{}", "Authorization", "Bearer " + token,
                AdminApi.CSRF_HEADER, csrf, "X-Forwarded-For", client).status());
        java.util.Set<String> seen = new java.util.TreeSet<>();
        long deadline = System.currentTimeMillis() + 30_000;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(
                kafka.settings.consumer("audit-check", null))) {
            var partition = new org.apache.kafka.common.TopicPartition(kafka.settings.topic(
                    dev.huddle.kafka.Topics.AUDIT), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (seen.size() < 3 && System.currentTimeMillis() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    var e = dev.huddle.json.Json.read(r.value(), dev.huddle.events.AuditEvent.class);
                    if (client.equals(e.remote())) {
                        seen.add(e.action() + ":" + e.result() + ":" + e.user());
                    }
                }
            }
        }
        assertEquals(new java.util.TreeSet<>(List.of("login:failed:" + AdminHarness.USER, "login:ok:" + AdminHarness.USER,
                "logout:ok:" + AdminHarness.USER)), seen);
    }
}
