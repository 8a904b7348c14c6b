package dev.huddle.events;

/**
 * One operator action or sign-in, as the audit trail keeps it ({@link dev.huddle.kafka.Topics#AUDIT}, keyed by
 * {@code user}) and as the dashboard's events feed shows it.
 *
 * @param v      schema version
 * @param id     unique id
 * @param ts     when it happened
 * @param node   the instance (gateway) that handled it
 * @param user   the operator's user name as given (for a failed login: what was typed, cut to 64 characters)
 * @param remote the client address (after trusted-proxy {@code X-Forwarded-For} handling)
 * @param action {@code login}, {@code logout}, {@code kick}, {@code close_room}, {@code lock}, {@code unlock},
 *               {@code disconnect}, {@code notice}, {@code password_change}
 * @param target what it acted on (a room, a peerId, {@code *}), or {@code null}
 * @param result {@code ok}, or a short failure code ({@code denied}, {@code rate_limited}, {@code invalid}, ...)
 */
public record AuditEvent(int v, String id, long ts, String node, String user, String remote, String action,
                         String target, String result) {
}
