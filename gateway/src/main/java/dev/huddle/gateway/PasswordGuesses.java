package dev.huddle.gateway;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * One connection's password guesses, per room (protocol.md: after 5 wrong passwords for one room within a minute,
 * that connection's joins of that room get {@code rate_limited} for a minute). Checked before the join's password
 * key is derived, so a blocked guesser costs no hash at all. A guess whose answer is still on its way counts as
 * wrong until it is known to be right (guesses sent all at once cannot slip past the limit), and so does a guess
 * sent without a {@code ref}: its success is never reported back to the gateway.
 *
 * <p>Threads: the reading thread asks and sends, the delivery thread reports answers.
 */
final class PasswordGuesses {
    static final int MAX_WRONG = 5;
    static final long WINDOW_MS = 60_000;
    static final long BLOCK_MS = 60_000;

    private static final class Room {
        final Deque<Long> wrong = new ArrayDeque<>();
        int inFlight;
        long blockedUntil;
    }

    private final Map<String, Room> rooms = new HashMap<>();
    private final Map<String, String> pending = new HashMap<>(); // ref of a guess on its way -> room

    /** Whether a join of {@code room} is refused now. */
    synchronized boolean blocked(String room, long now) {
        Room r = rooms.get(room);
        if (r == null) {
            return false;
        }
        prune(r, now);
        return r.blockedUntil > now || r.wrong.size() + r.inFlight >= MAX_WRONG;
    }

    /** A join with a password goes out; with a {@code ref} its reply will say whether it was right. */
    synchronized void sent(String room, String ref, long now) {
        Room r = rooms.computeIfAbsent(room, k -> new Room());
        if (ref != null) {
            r.inFlight++;
            pending.put(ref, room);
        } else {
            wrong(r, now);
        }
    }

    /**
     * The request with {@code ref} was answered ({@code wrongPassword} or not) or timed out; nothing happens
     * unless it was a guess.
     */
    synchronized void answered(String ref, boolean wrongPassword, long now) {
        String room = ref == null ? null : pending.remove(ref);
        Room r = room == null ? null : rooms.get(room);
        if (r == null) {
            return;
        }
        r.inFlight = Math.max(0, r.inFlight - 1);
        if (wrongPassword) {
            wrong(r, now);
        }
        prune(r, now);
        if (r.inFlight == 0 && r.wrong.isEmpty() && r.blockedUntil <= now) {
            rooms.remove(room); // nothing to remember: a connection's map stays as small as its recent guessing
        }
    }

    private static void wrong(Room r, long now) {
        prune(r, now); // guesses older than the window must not make up the five
        r.wrong.addLast(now);
        if (r.wrong.size() >= MAX_WRONG) {
            r.blockedUntil = now + BLOCK_MS;
            r.wrong.clear();
        }
    }

    private static void prune(Room r, long now) {
        while (!r.wrong.isEmpty() && r.wrong.peekFirst() <= now - WINDOW_MS) {
            r.wrong.removeFirst();
        }
    }
}
