package dev.huddle.gateway;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The guess limit's clock: 5 wrong in a minute block a room for a minute; right answers and old guesses do not. */
class PasswordGuessesTest {
    @Test
    void fiveWrongWithinAMinuteBlockThatRoomForAMinute() {
        PasswordGuesses g = new PasswordGuesses();
        long t = 1_000_000;
        for (int i = 0; i < 5; i++) {
            assertThat(g.blocked("vault", t + i), is(false));
            g.sent("vault", "r" + i, t + i);
            g.answered("r" + i, true, t + i);
        }
        assertThat(g.blocked("vault", t + 10), is(true));
        assertThat(g.blocked("lobby", t + 10), is(false));
        assertThat(g.blocked("vault", t + 4 + 59_999), is(true));
        assertThat(g.blocked("vault", t + 4 + 60_000), is(false));
    }

    @Test
    void guessesOlderThanAMinuteAndRightOnesDoNotCount() {
        PasswordGuesses g = new PasswordGuesses();
        long t = 1_000_000;
        for (int i = 0; i < 4; i++) {
            g.sent("vault", "r" + i, t);
            g.answered("r" + i, true, t);
        }
        g.sent("vault", "ok", t + 1);
        g.answered("ok", false, t + 1); // the right password
        assertThat(g.blocked("vault", t + 2), is(false));
        g.sent("vault", "late", t + 60_001);
        g.answered("late", true, t + 60_001); // the first four are out of the window now
        assertThat(g.blocked("vault", t + 60_002), is(false));
    }

    @Test
    void guessesOnTheirWayAndGuessesWithoutRefCount() {
        PasswordGuesses g = new PasswordGuesses();
        for (int i = 0; i < 3; i++) {
            g.sent("vault", "r" + i, 0);
        }
        g.sent("vault", null, 0);
        assertThat(g.blocked("vault", 1), is(false));
        g.sent("vault", null, 1); // without ref: wrong at once; 2 wrong + 3 on their way
        assertThat(g.blocked("vault", 2), is(true));
        g.answered("r0", false, 3); // right: 2 wrong + 2 on their way
        g.answered("nobody", true, 3); // not a guess of this connection: changes nothing
        assertThat(g.blocked("vault", 4), is(false));
    }
}
