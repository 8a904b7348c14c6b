package dev.huddle.launcher;

import dev.huddle.kafka.Partitions;
import dev.huddle.kafka.Topics;
import dev.huddle.testing.KafkaExtension;
import dev.huddle.testing.WsClient;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Not part of the suite (run it by name): chat and hand latency of a room while password guessers run at full rate
 * beside it, against rooms on the same rooms-service partition. Each guess costs a password key (PBKDF2) on the
 * guesser's own gateway thread, and nothing costly on the partition thread; after 5 wrong guesses per room a
 * connection's guesses are refused at the gateway.
 *
 * <pre>mvn -B -o -q -pl system-tests -am verify -Dtest=PasswordGuessingBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * Prints a line per phase: {@code chat p50/p99, hand p50/p99} in ms, and the guesses made.
 */
class PasswordGuessingBenchmark {
    private static final int SAMPLES = 100;
    private static final int GUESSERS = 4;
    private static final int GUARDED_ROOMS = 40;

    @Test
    void chatAndHandLatencyBeforeAndDuringGuessing() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Options(2, 0, KafkaExtension.bootstrapServers(),
                Files.createTempDirectory("unused"), Map.of(
                        "kafka.topic.prefix", "guess" + UUID.randomUUID().toString().substring(0, 6) + ".",
                        "gateway.connections.max.per.address", "0",
                        "gateway.connections.rate.per.address", "0")))) {
            int gw1 = cluster.gateways().get(0).port();
            int gw2 = cluster.gateways().get(1).port();
            String room = "chatty " + UUID.randomUUID().toString().substring(0, 8);
            int partition = Partitions.forKey(room, Topics.ROOM_PARTITIONS);
            List<String> guarded = new ArrayList<>();
            for (int i = 0; guarded.size() < GUARDED_ROOMS; i++) {
                String name = "vault " + i + " " + room.substring(7);
                if (Partitions.forKey(name, Topics.ROOM_PARTITIONS) == partition) {
                    guarded.add(name);
                }
            }
            try (WsClient ann = WsClient.hello(gw1); WsClient bob = WsClient.hello(gw2);
                 WsClient owner = WsClient.hello(gw1)) {
                ann.ok("join", Map.of("room", room, "nickname", "Ann"));
                bob.ok("join", Map.of("room", room, "nickname", "Bob"));
                for (String g : guarded) {
                    owner.ok("join", Map.of("room", g, "nickname", "Owner", "password", "correct horse"));
                }
                measure("warm-up", ann, bob, room);
                String before = measure("before", ann, bob, room);

                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger guesses = new AtomicInteger();
                AtomicInteger limited = new AtomicInteger();
                List<Thread> threads = new ArrayList<>();
                for (int g = 0; g < GUESSERS; g++) {
                    int port = g % 2 == 0 ? gw1 : gw2;
                    threads.add(Thread.ofPlatform().start(() -> guess(port, guarded, stop, guesses, limited)));
                }
                Thread.sleep(500);
                String during = measure("during", ann, bob, room);
                stop.set(true);
                for (Thread t : threads) {
                    t.join();
                }
                System.out.println("GUESSING before: " + before + " | during: " + during + " | guesses answered "
                        + guesses.get() + ", of which rate_limited " + limited.get());
                assertThat(ann.ok("ping", null).has("serverTime"), is(true));
            }
        }
    }

    /** A guesser at its connection's full frame rate (50 a second), a new password each time, room after room. */
    private static void guess(int port, List<String> rooms, AtomicBoolean stop, AtomicInteger guesses,
                              AtomicInteger limited) {
        try (WsClient c = WsClient.hello(port)) {
            for (int i = 0; !stop.get(); i++) {
                long start = System.nanoTime();
                var reply = c.request("join", Map.of("room", rooms.get(i % rooms.size()), "nickname", "G",
                        "password", "guess " + i));
                guesses.incrementAndGet();
                if ("rate_limited".equals(reply.path("error").path("code").asText())) {
                    limited.incrementAndGet();
                }
                long wait = 20_000_000L - (System.nanoTime() - start);
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code SAMPLES} chats from Ann until Bob has each, and hand raises until Ann sees her own peer_hand. */
    private static String measure(String phase, WsClient ann, WsClient bob, String room) throws Exception {
        List<Long> chat = new ArrayList<>();
        List<Long> hand = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            long t0 = System.nanoTime();
            String text = phase + " " + i;
            ann.send("chat", null, Map.of("room", room, "text", text));
            bob.await(f -> "chat".equals(f.path("type").asText()) && text.equals(f.at("/data/text").asText()));
            chat.add(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            ann.send("hand", null, Map.of("room", room, "raised", i % 2 == 0));
            ann.await("peer_hand");
            hand.add(System.nanoTime() - t1);
            Thread.sleep(20);
        }
        return String.format("chat p50 %.1f p99 %.1f ms, hand p50 %.1f p99 %.1f ms", pct(chat, 50), pct(chat, 99),
                pct(hand, 50), pct(hand, 99));
    }

    private static double pct(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1e6;
    }
}
