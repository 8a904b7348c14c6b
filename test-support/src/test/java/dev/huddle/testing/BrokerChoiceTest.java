package dev.huddle.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which broker the Kafka tests get, and a clear word when the container one cannot be had. */
class BrokerChoiceTest {
    @AfterEach
    void reset() {
        System.clearProperty("huddle.test.kafka");
    }

    @Test
    void theEmbeddedBrokerIsTheDefault() {
        assertThat(KafkaExtension.choice(), is(System.getenv("HUDDLE_TEST_KAFKA") == null ? "embedded"
                : System.getenv("HUDDLE_TEST_KAFKA")));
    }

    @Test
    void aTypoIsRefusedNotIgnored() {
        System.setProperty("huddle.test.kafka", "docker");
        IllegalStateException e = assertThrows(IllegalStateException.class, KafkaExtension::choice);
        assertThat(e.getMessage(), containsString("'embedded' or 'container'"));
    }

    @Test
    void theContainerBrokerSaysWhyWhenNoDockerEngineAnswers() throws Exception {
        // On these build machines there is no Docker engine (the client exists, the daemon does not).
        boolean dockerHere = new ProcessBuilder("sh", "-c", "docker info >/dev/null 2>&1").start().waitFor() == 0;
        if (!dockerHere) {
            IllegalStateException e = assertThrows(IllegalStateException.class, ContainerKafka::start);
            assertThat(e.getMessage(), containsString("no Docker engine is reachable"));
        } else {
            assertThat(ContainerKafka.start(), containsString(":"));
        }
    }
}
