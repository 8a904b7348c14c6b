package dev.huddle.signaling;

import dev.huddle.signaling.HeldMessages.Held;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** The hold itself: per peer, latest kept, taken per room in order. */
class HeldMessagesTest {

    @Test
    void keepsTheLatestPerPeerAndHandsThemOutPerRoomInOrder() {
        HeldMessages held = new HeldMessages(3);
        assertThat(held.hold("bob", new Held("a", "1", 0)), is(false));
        held.hold("bob", new Held("b", "2", 0));
        held.hold("bob", new Held("a", "3", 0));
        assertThat("the oldest makes room", held.hold("bob", new Held("a", "4", 0)), is(true));
        held.hold("cy", new Held("a", "x", 0));
        assertThat(held.size(), is(4));

        assertThat(held.take("bob", "a").stream().map(Held::frame).toList(), is(List.of("3", "4")));
        assertThat(held.take("bob", "a"), is(empty()));
        assertThat(held.peers(), is(java.util.Set.of("bob", "cy")));
        assertThat(held.take("bob", "b").stream().map(Held::frame).toList(), is(List.of("2")));
        assertThat(held.peers(), is(java.util.Set.of("cy")));
        assertThat(held.size(), is(1));
    }
}
