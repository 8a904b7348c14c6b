package dev.huddle.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each service may do on the bus: the least-privilege ACLs of docs/architecture.md's topic table (who writes
 * and reads which topic, which consumer groups). The KafkaUsers in k8s/base/kafka-users.yaml grant exactly these
 * (deploy-tests checks), and the SASL/SCRAM integration test runs the system under them.
 */
public final class ServiceAccess {
    public static final String GATEWAY = "gateway";
    public static final String ROOMS = "rooms-service";
    public static final String SIGNALING = "signaling-service";
    public static final String PRESENCE = "presence-service";

    /**
     * One grant.
     *
     * @param resource   {@code topic} or {@code group}
     * @param name       name without the configured prefix ({@code kafka.topic.prefix} is put in front)
     * @param prefix     whether {@code name} is a prefix of the names granted rather than one name
     * @param operations Kafka operations, as Strimzi spells them (Read, Write, Create, Delete, Describe)
     */
    public record Grant(String resource, String name, boolean prefix, Set<String> operations) {
    }

    private static final Set<String> READ = Set.of("Read");
    private static final Set<String> WRITE = Set.of("Write");
    private static final Set<String> READ_WRITE = Set.of("Read", "Write");

    private static final Map<String, List<Grant>> GRANTS = Map.of(
            GATEWAY, List.of(
                    topic(Topics.ROOM_COMMANDS, WRITE), topic(Topics.SIGNALS, WRITE), topic(Topics.PRESENCE, WRITE),
                    topic(Topics.AUDIT, READ_WRITE), topic(Topics.INSTANCES, READ_WRITE),
                    topic(Topics.ADMIN_REVOCATIONS, READ_WRITE),
                    topic(Topics.ROOM_MEMBERS, READ), topic(Topics.ROOM_DIRECTORY, READ),
                    topic(Topics.SESSIONS, READ),
                    // its own inbox: made at start, read, and removed when it stops; Write on the prefix also lets
                    // it ask another gateway for a socket's counters (admin socket detail, SocketCountersQuery)
                    inbox(Set.of("Create", "Describe", "Read", "Write", "Delete"))),
            ROOMS, List.of(
                    topic(Topics.ROOM_COMMANDS, READ), group("rooms"),
                    topic(Topics.ROOM_STATE, READ_WRITE), topic(Topics.ROOM_MEMBERS, WRITE),
                    topic(Topics.ROOM_DIRECTORY, WRITE),
                    // heartbeats out, and which gateways live (where a push to everyone goes)
                    topic(Topics.INSTANCES, READ_WRITE), inbox(WRITE)),
            SIGNALING, List.of(
                    topic(Topics.SIGNALS, READ), group("signaling"), topic(Topics.ROOM_MEMBERS, READ),
                    topic(Topics.ROOM_COMMANDS, WRITE),
                    topic(Topics.INSTANCES, READ_WRITE), inbox(WRITE)),
            PRESENCE, List.of(
                    // presence writes `abandoned` to its own topic
                    topic(Topics.PRESENCE, READ_WRITE), group("presence"), topic(Topics.SESSIONS, READ_WRITE),
                    topic(Topics.INSTANCES, READ_WRITE), topic(Topics.ROOM_MEMBERS, READ),
                    topic(Topics.ROOM_COMMANDS, WRITE),
                    // it finds and removes the inboxes of gateways that died
                    inbox(Set.of("Describe", "Write", "Delete"))));

    private ServiceAccess() {
    }

    /** The services that have a Kafka user. */
    public static Set<String> services() {
        return GRANTS.keySet();
    }

    public static List<Grant> grants(String service) {
        List<Grant> grants = GRANTS.get(service);
        if (grants == null) {
            throw new IllegalArgumentException("No Kafka access declared for service " + service);
        }
        return grants;
    }

    private static Grant topic(TopicSpec spec, Set<String> operations) {
        return new Grant("topic", spec.name(), false, operations);
    }

    private static Grant inbox(Set<String> operations) {
        return new Grant("topic", Topics.INBOX_PREFIX, true, operations);
    }

    private static Grant group(String name) {
        return new Grant("group", name, false, READ);
    }
}
