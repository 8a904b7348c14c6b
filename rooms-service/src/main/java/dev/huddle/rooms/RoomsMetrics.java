package dev.huddle.rooms;

import dev.huddle.events.CommandTypes;
import dev.huddle.events.RequestTypes;
import dev.huddle.service.Buckets;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * rooms-service's domain meters. Tagged with the instance id (several instances may share a JVM, e.g. in tests
 * and the launcher) and removed again on close.
 */
final class RoomsMetrics implements AutoCloseable {
    /** Bounds the {@code type} tag: anything else counts as {@code other}. */
    private static final Set<String> TYPES = Set.of(RequestTypes.JOIN, RequestTypes.LEAVE, RequestTypes.RENAME,
            RequestTypes.MEDIA, RequestTypes.HAND, CommandTypes.AWAY, CommandTypes.BACK, CommandTypes.DEPART,
            CommandTypes.KICK, CommandTypes.CLOSE_ROOM, CommandTypes.LOCK, CommandTypes.NOTICE,
            CommandTypes.CHAT_POSTED, CommandTypes.HOLD);

    private final MeterRegistry registry = Metrics.globalRegistry();
    private final Tag instance;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<String, Counter> commands = new ConcurrentHashMap<>();
    private final Timer joinTime;
    private final Timer roomDuration;

    RoomsMetrics(String instanceId, RoomRegistry rooms) {
        instance = Tag.create("node_id", instanceId);
        meters.add(registry.getOrCreate(Gauge.builder("huddle_rooms", rooms::liveRooms)
                .description("Rooms owned by this rooms-service instance").addTag(instance)));
        meters.add(registry.getOrCreate(Gauge.builder("huddle_room_members", rooms::members)
                .description("Members of the rooms owned by this instance").addTag(instance)));
        joinTime = registry.getOrCreate(Timer.builder("huddle_rooms_join_time")
                .description("From the gateway reading a join to rooms-service applying it")
                .buckets(Buckets.LATENCY).tags(List.of(instance)));
        roomDuration = registry.getOrCreate(Timer.builder("huddle_rooms_room_duration")
                .description("How long rooms lived, from the first join to the last member's leaving")
                .buckets(Buckets.ROOM_DURATION).tags(List.of(instance)));
        meters.add(joinTime);
        meters.add(roomDuration);
    }

    void joined(long ingressTs, long now) {
        if (ingressTs > 0 && now >= ingressTs) {
            joinTime.record(now - ingressTs, TimeUnit.MILLISECONDS);
        }
    }

    void roomEnded(long created, long now) {
        if (created > 0 && now >= created) {
            roomDuration.record(now - created, TimeUnit.MILLISECONDS);
        }
    }

    /** Counts an applied command. */
    void command(String type) {
        commands.computeIfAbsent(TYPES.contains(type) ? type : "other", t -> {
            Counter c = registry.getOrCreate(Counter.builder("huddle_room_commands")
                    .description("Room commands applied, by type")
                    .addTag(Tag.create("type", t)).addTag(instance));
            meters.add(c);
            return c;
        }).increment();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
