package dev.huddle.events;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Command and delivery ids: well-formed random UUIDs that receivers can tell apart. */
class RecordIdsTest {

    @Test
    void idsAreVersion4UuidsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = RecordIds.random();
            UUID u = UUID.fromString(id);
            assertThat(u.version(), is(4));
            assertThat(u.variant(), is(2));
            assertThat(seen.add(id), is(true));
        }
    }
}
