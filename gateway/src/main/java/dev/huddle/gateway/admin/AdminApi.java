package dev.huddle.gateway.admin;

import dev.huddle.json.Json;
import dev.huddle.gateway.ClientAddress;
import dev.huddle.kafka.ConsumerLoop;
import dev.huddle.kafka.KafkaSettings;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;
import dev.huddle.service.PasswordHash;

import io.helidon.config.Config;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.LongFunction;

import org.apache.kafka.clients.admin.Admin;

/**
 * The operator's API under {@code /admin/api} and the dashboard at {@code /admin}, on a gateway.
 *
 * <p>Configuration (the {@code admin} node of gateway.yaml; environment variables ADMIN_USER,
 * ADMIN_PASSWORD_HASH, ...):
 * <pre>
 * admin:
 *   # The operator's user name.
 *   user: "admin"
 *   # PBKDF2 hash of the operator's password, as dev.huddle.service.PasswordHash.hash(...) writes it
 *   # ("pbkdf2$iterations$salt$hash"). Empty: nobody can sign in. Never put the password itself here.
 *   password.hash: ""
 *   # true: the API and dashboard show everything but every action is refused (403).
 *   readonly: false
 *   # How long a sign-in lasts, counted from the login (ms). Default 8 hours.
 *   session.ttl.ms: 28800000
 *   # Login attempts allowed per remote address and minute, right or wrong; more get 429.
 *   login.rate.per.minute: 10
 * </pre>
 *
 * <p>Wiring, in the gateway's start:
 * <pre>
 * AdminApi admin = AdminApi.create(config, kafkaSettings, publisher, kafkaAdmin, instanceId);
 * admin.register(routing);     // HttpRouting.Builder: /admin/api/... and the dashboard (classpath "admin")
 * admin.loops();               // add to Observability.feature(...) so readiness waits for the replicas
 * admin.close();               // in close() and kill(), before the publisher and Kafka admin are closed
 * </pre>
 *
 * <p>Authentication: {@code POST /admin/api/login {user, password}} sets an HttpOnly, SameSite=Strict session
 * cookie on {@code /admin} and returns {@code {user, readonly, csrf, token, expiresAt}}; scripts may instead
 * send {@code Authorization: Bearer <token>}. A sign-in is valid on every gateway with the same password hash
 * ({@link AdminSessions}). Every other call without a valid sign-in gets 401. Actions
 * (POST disconnect, kick, close, lock, notice) also need {@code X-CSRF-Token: <csrf>} (403 without) and are
 * refused in read-only mode (403). Errors are {@code {"error": {"code", "message"}}}.
 */
public final class AdminApi implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AdminApi.class.getName());
    static final String COOKIE = "huddle_admin";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final HeaderName CSRF = HeaderNames.create(CSRF_HEADER);
    private static final String BASE = "/admin/api";
    private static final int MAX_BODY = 16 * 1024;
    private static final long SEND_TIMEOUT_MS = 5000;
    /** Shown to the browser with every page and API answer under /admin: only our own files, no inline code. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** The audit trail's action for each API action (a refused lock has no lock/unlock yet). */
    private static final Map<String, String> AUDIT_ACTIONS = Map.of("disconnect", "disconnect", "kick", "kick",
            "close", "close_room", "lock", "lock", "notice", "notice");

    /** A request's valid sign-in. */
    private record SignedIn(String token, AdminSessions.Session session) {
    }

    private final AdminSettings settings;
    private final AdminSessions sessions;
    private final LoginLimiter limiter;
    private final ClusterView view;
    private final TrafficMeter traffic;
    private final EventStream events;
    private final EventsFeed feed;
    private final AdminActions actions;
    private final AuditTrail audit;
    private final AdminMetrics metrics = new AdminMetrics();
    private final Publisher publisher;
    private final ClientAddress clientAddress;
    /** {@code null}: no gateway around this API (its sockets' counters cannot be asked for) */
    private final SocketCountersQuery counters;
    /** Every gateway's sign-outs, from the beginning of the compacted admin-revocations topic. */
    private final ConsumerLoop revocations;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("admin-ticker").daemon().factory());

    private AdminApi(AdminSettings settings, KafkaSettings kafka, Publisher publisher, Admin kafkaAdmin, String node,
                     SocketCountersQuery counters) {
        this.settings = settings;
        this.counters = counters;
        this.sessions = new AdminSessions(settings.sessionKey(), settings.loginEnabled() ? settings.passwordHash() : null,
                settings.user(), settings.sessionTtlMs());
        this.publisher = publisher;
        this.clientAddress = ClientAddress.trusting(settings.trustedProxies());
        this.audit = new AuditTrail(publisher, node);
        this.revocations = ConsumerLoop.replica(kafka, "admin-revocations", List.of(Topics.ADMIN_REVOCATIONS), true,
                records -> {
                    for (var r : records) {
                        if (r.value() != null) {
                            sessions.revoked(r.key(), Json.read(r.value(), AdminSessions.Revocation.class).expiresAt());
                        }
                    }
                    return CompletableFuture.completedFuture(null);
                });
        this.limiter = new LoginLimiter(settings.loginRatePerMinute());
        this.feed = new EventsFeed(kafka);
        this.view = new ClusterView(kafka, feed);
        this.traffic = new TrafficMeter(kafkaAdmin, kafka, node);
        this.events = new EventStream(view, traffic, feed);
        this.actions = new AdminActions(publisher, view);
    }

    /**
     * Reads the {@code admin} settings and starts the replicas. {@code kafkaAdmin} measures message rates;
     * {@code node} (the gateway's instance id) signs the audit events.
     */
    public static AdminApi create(Config config, KafkaSettings kafka, Publisher publisher, Admin kafkaAdmin,
                                  String node) {
        return create(AdminSettings.create(config), kafka, publisher, kafkaAdmin, node, null);
    }

    /** {@code counters}: the socket detail's counters, of this gateway's connections or asked of their holder. */
    public static AdminApi create(Config config, KafkaSettings kafka, Publisher publisher, Admin kafkaAdmin,
                                  String node, SocketCountersQuery counters) {
        return create(AdminSettings.create(config), kafka, publisher, kafkaAdmin, node, counters);
    }

    public static AdminApi create(AdminSettings settings, KafkaSettings kafka, Publisher publisher, Admin kafkaAdmin,
                                  String node) {
        return create(settings, kafka, publisher, kafkaAdmin, node, null);
    }

    public static AdminApi create(AdminSettings settings, KafkaSettings kafka, Publisher publisher, Admin kafkaAdmin,
                                  String node, SocketCountersQuery counters) {
        AdminApi api = new AdminApi(settings, kafka, publisher, kafkaAdmin, node, counters);
        if (settings.loginEnabled() && settings.sessionKey().isBlank()) {
            LOG.log(Level.WARNING, "admin.session.key is not set: sign-ins are valid on this gateway only");
        }
        if (!settings.loginEnabled()) {
            // Says which, never the value: a password pasted here by mistake must not reach the log.
            LOG.log(Level.WARNING, settings.passwordHash().isBlank()
                    ? "admin.password.hash is not set: nobody can sign in to the admin API"
                    : "admin.password.hash is not a PBKDF2 hash (pbkdf2$iterations$salt$hash): nobody can sign in");
        }
        api.view.start();
        api.feed.start();
        api.revocations.start();
        api.ticker.scheduleAtFixedRate(api::tick, 1000, 1000, TimeUnit.MILLISECONDS);
        return api;
    }

    /** The API's Kafka consumers, for the readiness check. */
    public List<ConsumerLoop> loops() {
        return List.of(view.loop(), revocations);
    }

    /** Completes once the replicas have read what the topics held at start. */
    public CompletableFuture<Void> ready() {
        return CompletableFuture.allOf(view.loop().ready(), revocations.ready());
    }

    /** Registers the security headers, the API under {@code /admin/api} and the dashboard at {@code /admin}. */
    public void register(HttpRouting.Builder routing) {
        Handler headers = (req, res) -> {
            res.header("Content-Security-Policy", CSP);
            res.header("X-Content-Type-Options", "nosniff");
            res.header("X-Frame-Options", "DENY");
            res.header("Referrer-Policy", "no-referrer");
            res.next();
        };
        routing.any("/admin", headers).any("/admin/*", headers);

        routing.post(BASE + "/login", api(this::login))
                .post(BASE + "/logout", api(this::logout))
                .get(BASE + "/me", api(this::me))
                .get(BASE + "/overview", api((req, res) -> read(req, res, now -> view.overview(now, traffic.latest()))))
                .get(BASE + "/sockets", api((req, res) -> read(req, res, now -> view.sockets())))
                .get(BASE + "/sockets/{peerId}", api(this::socket))
                .get(BASE + "/rooms", api((req, res) -> read(req, res, now -> view.rooms())))
                .get(BASE + "/servers", api((req, res) -> read(req, res, view::servers)))
                .get(BASE + "/history", api((req, res) -> read(req, res, now -> traffic.history())))
                .get(BASE + "/events", api(this::events))
                .get(BASE + "/feed", api(this::feed))
                .post(BASE + "/disconnect", api((req, res) -> act(req, res, "disconnect", actions::disconnect)))
                .post(BASE + "/kick", api((req, res) -> act(req, res, "kick", actions::kick)))
                .post(BASE + "/close", api((req, res) -> act(req, res, "close", actions::close)))
                .post(BASE + "/lock", api((req, res) -> act(req, res, "lock", actions::lock)))
                .post(BASE + "/notice", api((req, res) -> act(req, res, "notice", actions::notice)))
                .any(BASE, api(this::unknown))
                .any(BASE + "/*", api(this::unknown));

        routing.register("/admin", StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                .location("admin")
                .welcome("index.html")
                .build()));
    }

    // --- handlers ---

    private void login(ServerRequest req, ServerResponse res) {
        String address = clientAddress(req);
        long now = System.currentTimeMillis();
        long waitMs = limiter.tryAcquire(address, now);
        if (waitMs > 0) {
            metrics.login("limited");
            audit.record(null, address, "login", "", "limited");
            long seconds = (waitMs + 999) / 1000;
            res.header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
            throw new ApiError(Status.TOO_MANY_REQUESTS_429, "rate_limited",
                    "Too many sign-in attempts from this address; try again in " + seconds + " s");
        }
        JsonNode body = body(req);
        JsonNode user = body.get("user");
        JsonNode password = body.get("password");
        if (user == null || !user.isTextual() || password == null || !password.isTextual()) {
            throw ApiError.badRequest("'user' and 'password' (strings) are required");
        }
        // Both checks always run, so the answer's timing does not tell whether the user name was right.
        boolean userOk = MessageDigest.isEqual(user.textValue().getBytes(StandardCharsets.UTF_8),
                settings.user().getBytes(StandardCharsets.UTF_8));
        boolean passwordOk = settings.loginEnabled() && PasswordHash.verify(password.textValue(), settings.passwordHash());
        if (!(userOk && passwordOk)) {
            metrics.login("failed");
            audit.record(user.textValue(), address, "login", "", "failed");
            LOG.log(Level.INFO, "Failed admin sign-in from " + address);
            throw new ApiError(Status.UNAUTHORIZED_401, "wrong_credentials", "Wrong user name or password");
        }
        AdminSessions.Created created = sessions.create(now);
        metrics.login("ok");
        audit.record(settings.user(), address, "login", "", "ok");
        LOG.log(Level.INFO, "Admin " + settings.user() + " signed in from " + address);
        res.headers().addCookie(SetCookie.builder(COOKIE, created.token())
                .path("/admin")
                .httpOnly(true)
                .sameSite(SetCookie.SameSite.STRICT)
                .secure(secure(req))
                .maxAge(Duration.ofMillis(settings.sessionTtlMs()))
                .build());
        ObjectNode out = whoami(created.session());
        out.put("token", created.token());
        json(res, Status.OK_200, out);
    }

    private void logout(ServerRequest req, ServerResponse res) {
        SignedIn signedIn = authenticate(req);
        AdminSessions.Session session = signedIn.session();
        sessions.revoke(session);
        try {
            // every gateway refuses it once this is written, so the operator hears "signed out" only after
            publisher.send(Topics.ADMIN_REVOCATIONS, session.id(), new AdminSessions.Revocation(session.expiresAt()))
                    .get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            audit.record(session.user(), clientAddress(req), "logout", "", "unavailable");
            throw new ApiError(Status.SERVICE_UNAVAILABLE_503, "unavailable",
                    "Signed out on this gateway only: the sign-out could not be shared with the others; try again");
        }
        audit.record(session.user(), clientAddress(req), "logout", "", "ok");
        res.headers().addCookie(SetCookie.builder(COOKIE, "")
                .path("/admin")
                .httpOnly(true)
                .sameSite(SetCookie.SameSite.STRICT)
                .secure(secure(req))
                .expires(Instant.EPOCH) // Helidon leaves out a zero Max-Age; a past date deletes the cookie too
                .build());
        json(res, Status.OK_200, Json.object().put("ok", true));
    }

    /** The dashboard asks this after a reload: the cookie is still there, the CSRF token is not. */
    private void me(ServerRequest req, ServerResponse res) {
        json(res, Status.OK_200, whoami(authenticate(req).session()));
    }

    private void events(ServerRequest req, ServerResponse res) {
        SignedIn signedIn = authenticate(req);
        events.serve(res, () -> sessions.find(signedIn.token(), System.currentTimeMillis()).isPresent());
    }

    /**
     * {@code GET /admin/api/sockets/{peerId}}: one open connection's details with its frames and bytes in and out
     * and last error ({@code counters}), asked of the gateway holding it when that is another one; if that gateway
     * does not answer within {@link SocketCountersQuery#TIMEOUT_MS}, the details come without counters and
     * {@code countersMissing} says why.
     */
    private void socket(ServerRequest req, ServerResponse res) {
        authenticate(req);
        String peerId = req.path().pathParameters().get("peerId");
        ClusterView.SocketView socket = view.socket(peerId, counters == null ? LocalSockets.NONE : counters::local);
        if (socket == null) {
            throw new ApiError(Status.NOT_FOUND_404, "not_found", "No open connection of peer " + peerId);
        }
        json(res, Status.OK_200, socket.counters() != null ? socket : withRemoteCounters(socket, view.conn(peerId)));
    }

    private ClusterView.SocketView withRemoteCounters(ClusterView.SocketView socket, String conn) {
        if (counters == null || socket.gateway() == null || conn == null) {
            return socket.withCounters(null, "no gateway known for this connection");
        }
        if (socket.gateway().equals(counters.self())) {
            return socket.withCounters(null, "this gateway no longer holds the connection");
        }
        try {
            SocketCounters c = counters.ask(socket.gateway(), conn).get();
            return socket.withCounters(c, c == null ? socket.gateway() + " no longer holds the connection" : null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return socket.withCounters(null, "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return socket.withCounters(null, e.getCause() instanceof java.util.concurrent.TimeoutException
                    ? socket.gateway() + " did not answer within " + SocketCountersQuery.TIMEOUT_MS + " ms"
                    : "could not ask " + socket.gateway() + ": " + e.getCause().getMessage());
        }
    }

    /** {@code GET /admin/api/feed?kind=join,leave&limit=100}: the events feed, newest first. */
    private void feed(ServerRequest req, ServerResponse res) {
        authenticate(req);
        Set<String> kinds = new HashSet<>();
        for (String k : req.query().first("kind").orElse("").split(",")) {
            if (!k.isBlank()) {
                if (!EventsFeed.KINDS.contains(k.strip())) {
                    throw ApiError.badRequest("Unknown kind '" + k.strip() + "'; known: "
                            + String.join(", ", new TreeSet<>(EventsFeed.KINDS)));
                }
                kinds.add(k.strip());
            }
        }
        int limit;
        try {
            limit = Integer.parseInt(req.query().first("limit").orElse("100"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > EventsFeed.CAPACITY) {
            throw ApiError.badRequest("'limit' must be a number from 1 to " + EventsFeed.CAPACITY);
        }
        json(res, Status.OK_200, feed.since(0, kinds, limit));
    }

    private void read(ServerRequest req, ServerResponse res, LongFunction<Object> data) {
        authenticate(req);
        json(res, Status.OK_200, data.apply(System.currentTimeMillis()));
    }

    /** Runs an operator action; every attempt by a signed-in operator, done or refused, goes to the audit trail. */
    private void act(ServerRequest req, ServerResponse res, String name,
                     BiFunction<String, JsonNode, CompletableFuture<AdminActions.Sent>> action) {
        SignedIn signedIn = authenticate(req);
        String user = signedIn.session().user();
        AdminActions.Sent sent;
        try {
            if (settings.readonly()) {
                throw ApiError.forbidden("read_only", "This dashboard is read-only (admin.readonly)");
            }
            String csrf = req.headers().first(CSRF).orElse("");
            if (!MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                    signedIn.session().csrf().getBytes(StandardCharsets.UTF_8))) {
                throw ApiError.forbidden("csrf", "Missing or wrong " + CSRF_HEADER
                        + " header (see the login answer)");
            }
            sent = send(name, action.apply(user, body(req)));
        } catch (ApiError e) {
            audit.record(user, clientAddress(req), AUDIT_ACTIONS.get(name), null, e.code());
            throw e;
        }
        audit.record(user, clientAddress(req), sent.action(), sent.target(), "ok");
        metrics.action(name);
        json(res, Status.OK_200, Json.object().put("ok", true).put("id", sent.id()));
    }

    private static AdminActions.Sent send(String name, CompletableFuture<AdminActions.Sent> sending) {
        try {
            return sending.get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "Admin action " + name + " not sent: " + e);
            throw new ApiError(Status.SERVICE_UNAVAILABLE_503, "unavailable", "Kafka did not take the "
                    + name + " in time; retrying may work");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(Status.SERVICE_UNAVAILABLE_503, "unavailable", "Interrupted");
        }
    }

    private void unknown(ServerRequest req, ServerResponse res) {
        authenticate(req); // say nothing about what exists to strangers
        throw new ApiError(Status.NOT_FOUND_404, "not_found", "No such admin API call: " + req.prologue().method()
                + " " + req.path().path());
    }

    // --- plumbing ---

    @FunctionalInterface
    private interface ApiHandler {
        void handle(ServerRequest req, ServerResponse res) throws Exception;
    }

    /** Every API answer is JSON, never cached; refusals become {@code {"error": {code, message}}}. */
    private Handler api(ApiHandler handler) {
        return (req, res) -> {
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            try {
                handler.handle(req, res);
            } catch (ApiError e) {
                metrics.refused(e.code());
                ObjectNode out = Json.object();
                out.putObject("error").put("code", e.code()).put("message", e.getMessage());
                json(res, e.status(), out);
            } catch (Exception e) {
                LOG.log(Level.ERROR, "Admin API call " + req.path().path() + " failed", e);
                if (!res.isSent()) { // an event stream that failed midway has sent its headers already
                    ObjectNode out = Json.object();
                    out.putObject("error").put("code", "internal").put("message", "Internal error");
                    json(res, Status.INTERNAL_SERVER_ERROR_500, out);
                }
            }
        };
    }

    private SignedIn authenticate(ServerRequest req) {
        String token = token(req);
        return sessions.find(token, System.currentTimeMillis())
                .map(s -> new SignedIn(token, s))
                .orElseThrow(ApiError::unauthorized);
    }

    /** The Bearer token if there is one, else the session cookie's value. */
    private static String token(ServerRequest req) {
        String authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (authorization.length() > 7 && authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return authorization.substring(7).trim();
        }
        return req.headers().cookies().first(COOKIE).asOptional().orElse(null);
    }

    private ObjectNode whoami(AdminSessions.Session session) {
        return Json.object()
                .put("user", session.user())
                .put("readonly", settings.readonly())
                .put("csrf", session.csrf())
                .put("expiresAt", session.expiresAt());
    }

    private static JsonNode body(ServerRequest req) {
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiError(Status.REQUEST_ENTITY_TOO_LARGE_413, "too_large",
                    "The request body is over " + MAX_BODY + " bytes");
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw ApiError.badRequest("The body must be a JSON object");
        }
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest("The body must be a JSON object");
        }
        return body;
    }

    private static void json(ServerResponse res, Status status, Object value) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The client's IP address (not the port: every attempt from one host shares a bucket): the TCP peer, or behind
     * the trusted proxies (the ingress controller) the address they put in X-Forwarded-For.
     */
    private String clientAddress(ServerRequest req) {
        return clientAddress.resolve(req.remotePeer().address(),
                req.headers().first(HeaderNames.X_FORWARDED_FOR).orElse(null));
    }

    /** Secure cookies when the browser came over TLS, directly or through a proxy that says so. */
    private static boolean secure(ServerRequest req) {
        return req.isSecure() || req.headers().first(HeaderNames.X_FORWARDED_PROTO)
                .map(p -> p.equalsIgnoreCase("https")).orElse(false);
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            traffic.sample(view.overview(now, null).connections(), view.joins());
            view.checkDeaths(now);
            sessions.purge(now);
            limiter.purge(now);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Admin ticker: " + e);
        }
    }

    /** Ends the event streams and the replicas. The publisher and Kafka admin belong to the gateway. */
    @Override
    public void close() {
        events.close();
        ticker.shutdownNow();
        view.close();
        feed.close();
        revocations.close();
    }
}
