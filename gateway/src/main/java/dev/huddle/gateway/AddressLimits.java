package dev.huddle.gateway;

import java.util.HashMap;
import java.util.Map;

/**
 * Caps per client address: connections open at once, and new connections per second (a token bucket of
 * {@code perSecond} tokens refilled at {@code perSecond} a second). Checked on the upgrade of {@code /ws}, before a
 * connection costs anything, so one address cannot exhaust the gateway's sockets, threads and heap. A slot is taken
 * when the upgrade is let through and given back when the connection ends (or the upgrade did not happen).
 * Zero for either limit means none.
 */
final class AddressLimits {
    /** Why an upgrade was refused, for the 429's text; {@code null}: allowed. */
    enum Refusal { TOO_MANY_OPEN, TOO_FAST }

    private static final class Address {
        int open;
        double tokens;
        long refilled;
    }

    private final int maxOpen;
    private final int perSecond;
    private final Map<String, Address> addresses = new HashMap<>();

    AddressLimits(int maxOpen, int perSecond) {
        this.maxOpen = maxOpen;
        this.perSecond = perSecond;
    }

    int maxOpen() {
        return maxOpen;
    }

    int perSecond() {
        return perSecond;
    }

    /** Takes a slot for a new connection from {@code address}, or says why not. */
    synchronized Refusal tryOpen(String address, long now) {
        Address a = addresses.computeIfAbsent(address, k -> {
            Address fresh = new Address();
            fresh.tokens = perSecond;
            fresh.refilled = now;
            return fresh;
        });
        if (maxOpen > 0 && a.open >= maxOpen) {
            return Refusal.TOO_MANY_OPEN;
        }
        if (perSecond > 0) {
            a.tokens = Math.min(perSecond, a.tokens + (now - a.refilled) * perSecond / 1000.0);
            a.refilled = now;
            if (a.tokens < 1) {
                return Refusal.TOO_FAST;
            }
            a.tokens -= 1;
        }
        a.open++;
        return null;
    }

    /** Gives back the slot of a connection that ended (or of an upgrade that did not happen). */
    synchronized void closed(String address) {
        Address a = addresses.get(address);
        if (a != null) {
            a.open = Math.max(0, a.open - 1);
        }
    }

    synchronized int open(String address) {
        Address a = addresses.get(address);
        return a == null ? 0 : a.open;
    }

    /** Forgets addresses with nothing open whose bucket has filled up again: the map holds only live ones. */
    synchronized void sweep(long now) {
        addresses.values().removeIf(a -> a.open == 0
                && (perSecond == 0 || a.tokens + (now - a.refilled) * perSecond / 1000.0 >= perSecond));
    }
}
