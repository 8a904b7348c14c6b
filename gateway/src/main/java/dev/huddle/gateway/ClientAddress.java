package dev.huddle.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a request really comes from. The TCP peer, unless that peer is one of the configured trusted proxies
 * (an ingress controller, a load balancer): then the right-most address of {@code X-Forwarded-For} that is not
 * itself a trusted proxy. A client can prepend anything to that header, so only addresses added by trusted
 * proxies count. Used by every per-address limit (connection caps, admin login), so that behind an ingress one
 * client cannot exhaust the budget of everyone.
 */
public final class ClientAddress {
    private final List<Cidr> trusted;

    private ClientAddress(List<Cidr> trusted) {
        this.trusted = trusted;
    }

    /** @param trustedProxies comma-separated addresses or CIDR blocks ({@code 10.0.0.0/8, ::1}); empty: none */
    public static ClientAddress trusting(String trustedProxies) {
        List<Cidr> list = new ArrayList<>();
        if (trustedProxies != null) {
            for (String s : trustedProxies.split(",")) {
                if (!s.isBlank()) {
                    list.add(Cidr.parse(s.strip()));
                }
            }
        }
        return new ClientAddress(List.copyOf(list));
    }

    /** The client's IP address as text. */
    public String resolve(SocketAddress peer, String xForwardedFor) {
        String peerIp = peer instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(peer);
        return resolve(peerIp, xForwardedFor);
    }

    public String resolve(String peerIp, String xForwardedFor) {
        if (!isTrusted(peerIp) || xForwardedFor == null || xForwardedFor.isBlank()) {
            return peerIp;
        }
        String[] hops = xForwardedFor.split(",");
        String candidate = peerIp;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!isIpLiteral(hop)) {
                return candidate; // garbage left of here was written by the client
            }
            candidate = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return candidate;
    }

    boolean isTrusted(String ip) {
        for (Cidr c : trusted) {
            if (c.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpLiteral(String s) {
        return !s.isEmpty() && s.length() <= 45 && s.chars().allMatch(ch -> Character.digit(ch, 16) >= 0
                || ch == '.' || ch == ':') && parse(s) != null;
    }

    private static byte[] parse(String ip) {
        try {
            // Literal only: getByName does no lookup when the text is an address (checked by isIpLiteral's chars)
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Cidr(byte[] network, int bits) {
        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            String ip = slash < 0 ? s : s.substring(0, slash);
            byte[] net = ClientAddress.parse(ip);
            if (net == null || !ip.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == '.' || ch == ':')) {
                throw new IllegalArgumentException("Not an IP address or CIDR block: '" + s + "'");
            }
            int bits = slash < 0 ? net.length * 8 : Integer.parseInt(s.substring(slash + 1));
            if (bits < 0 || bits > net.length * 8) {
                throw new IllegalArgumentException("Bad prefix length in '" + s + "'");
            }
            return new Cidr(net, bits);
        }

        boolean contains(String ip) {
            byte[] a = isIpLiteral(ip) ? ClientAddress.parse(ip) : null;
            if (a == null || a.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
