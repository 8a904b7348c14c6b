package dev.huddle.gateway.admin;

import dev.huddle.events.AuditEvent;
import dev.huddle.events.Command;
import dev.huddle.json.Json;
import dev.huddle.kafka.Publisher;
import dev.huddle.kafka.Topics;

import java.lang.System.Logger.Level;
import java.util.UUID;

/**
 * Every operator action and sign-in, written to the log and to the {@code audit} topic (where the dashboard's
 * events feed and any SIEM can read it). Never blocks the caller: a failed write is logged, not retried.
 */
public final class AuditTrail {
    private static final System.Logger LOG = System.getLogger("huddle.audit");

    private final Publisher publisher;
    private final String node;

    public AuditTrail(Publisher publisher, String node) {
        this.publisher = publisher;
        this.node = node;
    }

    public AuditEvent record(String user, String remote, String action, String target, String result) {
        String who = user == null ? "" : user.length() > 64 ? user.substring(0, 64) : user;
        AuditEvent e = new AuditEvent(Command.VERSION, UUID.randomUUID().toString(), System.currentTimeMillis(), node,
                who, remote, action, target, result);
        LOG.log(Level.INFO, "audit " + Json.write(e));
        publisher.send(Topics.AUDIT, who, e).exceptionally(t -> {
            LOG.log(Level.WARNING, "Audit event not written to Kafka (kept in the log above): " + t);
            return null;
        });
        return e;
    }
}
