package dev.huddle.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which page origins may open a WebSocket ({@code gateway.allowed.origins}): a comma-separated list of
 * {@code self} (the origin this gateway serves its pages from, as the request's Host says), {@code *} (any),
 * {@code scheme://host} or {@code scheme://host:port} (exact), {@code scheme://host:*} (any port).
 * Requests without an Origin header (non-browser clients) are not checked: the header is what browsers send.
 */
final class OriginPolicy {
    /** protocol.md's default: the gateway's own origin and {@code http://localhost:*}. */
    static final String DEFAULT = "self,http://localhost:*";

    private record Rule(String scheme, String host, int port) { // port -1: any
    }

    private final boolean any;
    private final boolean self;
    private final List<Rule> rules;

    private OriginPolicy(boolean any, boolean self, List<Rule> rules) {
        this.any = any;
        this.self = self;
        this.rules = rules;
    }

    static OriginPolicy parse(String list) {
        boolean any = false;
        boolean self = false;
        List<Rule> rules = new ArrayList<>();
        for (String raw : list.split(",")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                any = true;
            } else if (entry.equals("self")) {
                self = true;
            } else {
                boolean anyPort = entry.endsWith(":*");
                URI uri = uri(anyPort ? entry.substring(0, entry.length() - 2) : entry);
                if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("gateway.allowed.origins: not an origin: " + raw.trim());
                }
                rules.add(new Rule(uri.getScheme(), uri.getHost(), anyPort ? -1 : port(uri)));
            }
        }
        return new OriginPolicy(any, self, List.copyOf(rules));
    }

    /** @param host the request's Host header (for {@code self}), may be null */
    boolean allows(String origin, String host) {
        if (any) {
            return true;
        }
        URI uri = uri(origin.trim().toLowerCase(Locale.ROOT));
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return false; // "null" (sandboxed pages, file:) and garbage
        }
        int port = port(uri);
        if (self && host != null && sameAuthority(uri.getHost(), port, host.trim().toLowerCase(Locale.ROOT),
                uri.getScheme())) {
            return true;
        }
        for (Rule rule : rules) {
            if (rule.scheme.equals(uri.getScheme()) && rule.host.equals(uri.getHost())
                    && (rule.port == -1 || rule.port == port)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAuthority(String originHost, int originPort, String hostHeader, String scheme) {
        URI h = uri(scheme + "://" + hostHeader);
        return h != null && originHost.equals(h.getHost()) && originPort == port(h);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
