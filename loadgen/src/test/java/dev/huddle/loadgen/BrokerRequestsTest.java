package dev.huddle.loadgen;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading the launcher's broker counters and turning two readings into per-signal figures and rates. */
class BrokerRequestsTest {

    @Test
    void parsesTheLaunchersReading() {
        BrokerRequests.Snapshot s = BrokerRequests.parse("""
                {"requests":{"Fetch":120,"Metadata":3,"Produce":40},"records_in":400}""");
        assertThat(s.requests(), is(Map.of("Fetch", 120L, "Metadata", 3L, "Produce", 40L)));
        assertThat(s.total(), is(163L));
        assertThat(s.of("OffsetCommit"), is(0L));
        assertThat(s.recordsIn(), is(400L));
    }

    @Test
    void refusesWhatIsNotAReading() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> BrokerRequests.parse("{\"status\":\"UP\"}"))
                .getMessage(), containsString("Not a broker request reading"));
    }

    @Test
    void perSignalFiguresAndRatesComeFromTheDifference() {
        BrokerRequests.Snapshot before = new BrokerRequests.Snapshot(
                Map.of("Produce", 1_000L, "Fetch", 5_000L, "Heartbeat", 10L), 9_000L);
        // 10 s, 1,000 signals relayed: 2,000 produce requests carrying 6,000 records, 3,000 fetches, 100 others.
        BrokerRequests.Snapshot after = new BrokerRequests.Snapshot(
                Map.of("Produce", 3_000L, "Fetch", 8_000L, "Heartbeat", 90L, "OffsetCommit", 20L), 15_000L);
        Map<String, Object> f = BrokerRequests.figures(before, after, 10.0, 1_000);
        assertThat(f.get("requests_per_relayed_signal"), is(5.1));
        assertThat(f.get("produce_per_relayed_signal"), is(2.0));
        assertThat(f.get("fetch_per_relayed_signal"), is(3.0));
        assertThat(f.get("requests_per_s"), is(Map.of("produce", 200.0, "fetch", 300.0, "other", 10.0,
                "total", 510.0)));
        assertThat(f.get("records_per_produce_request"), is(3.0));
        assertThat(f.get("relayed_in_window"), is(1_000L));
    }

    @Test
    void noSignalsMeansNoPerSignalFigureRatherThanInfinity() {
        BrokerRequests.Snapshot idle = new BrokerRequests.Snapshot(Map.of("Fetch", 10L), 0);
        BrokerRequests.Snapshot later = new BrokerRequests.Snapshot(Map.of("Fetch", 30L), 0);
        Map<String, Object> f = BrokerRequests.figures(idle, later, 2.0, 0);
        assertThat(f, not(hasKey("requests_per_relayed_signal")));
        assertThat(f, not(hasKey("records_per_produce_request")));
        assertThat(((Map<?, ?>) f.get("requests_per_s")).get("fetch"), is(10.0));
    }
}
