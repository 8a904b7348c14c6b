package dev.huddle.gateway;

import dev.huddle.gateway.RequestOrder.Kind;
import dev.huddle.gateway.RequestOrder.Request;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/** The order keeper alone: what goes out when, for one connection (architecture.md, "Order of a sender's requests"). */
class RequestOrderTest {
    private final List<String> sent = new ArrayList<>();
    private final List<String> fences = new ArrayList<>();
    private final RequestOrder order = new RequestOrder(new RequestOrder.Sender() {
        @Override
        public void send(Request r, boolean sync) {
            sent.add(r.type() + (sync ? "+sync" : ""));
        }

        @Override
        public void fence(String room, String ref) {
            fences.add(ref);
            sent.add("fence");
        }
    }, 3, 30_000);

    private Request rooms(String type, String ref) {
        return new Request(Kind.ROOMS, type, "r", ref, null);
    }

    private Request signaling(String type) {
        return new Request(Kind.SIGNALING, type, "r", null, null);
    }

    @Test
    void aSignalAfterARenameWaitsForItsReplyAndIsMarkedSync() {
        order.submit(rooms("rename", "n1"), 0);
        order.submit(rooms("media", "m1"), 0);
        order.submit(signaling("chat"), 0);
        assertThat(sent, contains("rename", "media"));
        order.finished("n1", 1);
        assertThat(sent, contains("rename", "media"));
        order.finished("m1", 2);
        assertThat(sent, contains("rename", "media", "chat+sync"));
        order.submit(signaling("signal"), 3); // same kind as the last: at once, no sync
        assertThat(sent, contains("rename", "media", "chat+sync", "signal"));
    }

    @Test
    void aLeaveAfterSignalsGoesOutBehindAFence() {
        order.submit(signaling("signal"), 0);
        order.submit(signaling("signal"), 0);
        order.submit(rooms("leave", "l1"), 0);
        order.submit(signaling("chat"), 0); // behind the leave
        assertThat(sent, contains("signal", "signal", "fence"));
        order.finished(fences.getFirst(), 1);
        assertThat(sent, contains("signal", "signal", "fence", "leave"));
        order.finished("l1", 2);
        assertThat(sent, contains("signal", "signal", "fence", "leave", "chat+sync"));
    }

    @Test
    void otherRoomsAreNotHeldUpAndAFullQueueRefuses() {
        order.submit(rooms("rename", "n1"), 0);
        order.submit(new Request(Kind.SIGNALING, "signal", "elsewhere", null, null), 0);
        assertThat(sent, contains("rename", "signal"));
        assertThat(order.submit(signaling("a"), 0) && order.submit(signaling("b"), 0)
                && order.submit(signaling("c"), 0), is(true));
        assertThat("a fourth waiting request is one too many", order.submit(signaling("d"), 0), is(false));
    }

    @Test
    void aServiceThatNeverAnswersHoldsTheRoomOnlyUpToTheCap() {
        long t = 1_000_000;
        order.submit(rooms("rename", "n1"), t);
        order.submit(signaling("chat"), t);
        order.expire(t + 29_999);
        assertThat(sent, contains("rename"));
        order.expire(t + 30_000);
        assertThat(sent, contains("rename", "chat+sync"));
        assertThat("a late reply changes nothing", order.finished("n1", t + 30_001) == null, is(true));
    }

    @Test
    void internalRefsCannotBeAClientsRef() {
        String ref = order.internalRef();
        assertThat(ref.length() > FrameIntake.REF_MAX && RequestOrder.isInternal(ref), is(true));
    }
}
