package dev.huddle.service;

import dev.huddle.service.ServiceParts.Part;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/**
 * The stop order and the once-only guard, with stand-ins that write down what was done to them (the real
 * loops, publisher and heartbeat need a broker; what each does on close or crash is theirs to test).
 */
class ServicePartsTest {
    private final List<String> log = new ArrayList<>();

    private Part part(String name) {
        return new Part(() -> log.add(name + ".close"), () -> log.add(name + ".crash"));
    }

    private ServiceParts parts() {
        return new ServiceParts(List.of(part("loopA"), part("loopB")), part("publisher"), part("admin"),
                part("server"), List.of(() -> log.add("own1"), () -> log.add("own2")))
                .heartbeat(part("heartbeat"));
    }

    @Test
    void closeStopsInOrderAfterFirst() {
        assertThat(parts().close(() -> log.add("first")), is(true));
        assertThat(log, contains("first", "loopA.close", "loopB.close", "own1", "own2", "heartbeat.close",
                "publisher.close", "admin.close", "server.close"));
    }

    @Test
    void killCrashesInOrderAfterFirst() {
        assertThat(parts().kill(() -> log.add("first")), is(true));
        assertThat(log, contains("first", "heartbeat.crash", "loopA.crash", "loopB.crash", "own1", "own2",
                "publisher.crash", "admin.crash", "server.crash"));
    }

    @Test
    void stopsOnlyOnce() {
        ServiceParts parts = parts();
        parts.close();
        log.clear();
        assertThat(parts.close(() -> log.add("first")), is(false));
        assertThat(parts.kill(() -> log.add("first")), is(false));
        assertThat(log, is(List.of()));

        ServiceParts killed = parts();
        killed.kill();
        log.clear();
        assertThat(killed.close(), is(false));
        assertThat(killed.kill(), is(false));
        assertThat(log, is(List.of()));
    }

    @Test
    void aFailingPartDoesNotKeepTheRestRunning() {
        ServiceParts parts = new ServiceParts(List.of(new Part(() -> {
            throw new IllegalStateException("stuck");
        }, () -> { })), part("publisher"), part("admin"), part("server"),
                List.of(() -> {
                    throw new Exception("own part failed");
                }));
        parts.close(() -> {
            throw new IllegalStateException("drain failed");
        });
        assertThat(log, contains("publisher.close", "admin.close", "server.close"));
    }

    @Test
    void withoutAHeartbeatTheRestStillStops() {
        new ServiceParts(List.of(part("loop")), part("publisher"), part("admin"), part("server"), List.of()).kill();
        assertThat(log, contains("loop.crash", "publisher.crash", "admin.crash", "server.crash"));
    }
}
