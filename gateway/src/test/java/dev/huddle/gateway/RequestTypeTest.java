package dev.huddle.gateway;

import dev.huddle.events.RequestTypes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The request table agrees with everything else that lists request types: the shared names (services and the
 * fuzz test use them), the protocol's table of requests, and what the web client sends. A request added in one
 * place and not the others fails here.
 */
class RequestTypeTest {
    private static final Set<String> TABLE = Arrays.stream(RequestType.values()).map(t -> t.wire)
            .collect(Collectors.toCollection(TreeSet::new));

    @Test
    void theSharedNamesAreTheTable() {
        assertThat(new TreeSet<>(RequestTypes.ALL), is(TABLE));
        assertThat(RequestTypes.ALL.size(), is(RequestType.values().length));
    }

    @Test
    void protocolDocumentsExactlyTheRequestsOfTheTable() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
        String section = doc.substring(doc.indexOf("## Requests (client to server)"));
        section = section.substring(section.indexOf("| type | data | reply data"));
        section = section.substring(0, section.indexOf("\n\n")); // the table alone
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(section);
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(documented, is(TABLE));
    }

    @Test
    void theWebClientSendsOnlyTypesOfTheTable() throws IOException {
        Pattern sent = Pattern.compile("(?:conn|this)\\.(?:request|send|sendNow)\\('([a-z_]+)'"
                + "|encode\\(\\{ type: '([a-z_]+)'");
        Set<String> types = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src", "main", "resources", "web", "js"))) {
            for (Path js : files.filter(p -> p.toString().endsWith(".js")).toList()) {
                Matcher m = sent.matcher(Files.readString(js));
                while (m.find()) {
                    types.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        assertThat(types.containsAll(List.of("join", "signal", "resume", "ping")), is(true)); // the scan works
        types.removeAll(TABLE);
        assertThat("sent by the web client but not in the table", types, is(empty()));
    }

    @Test
    void everyServiceRequestHasAValidatorAndTheGatewaysOwnHaveNoTopic() {
        for (RequestType t : RequestType.values()) {
            switch (t.route) {
                case ROOMS, SIGNALING -> {
                    assertThat(t.wire, t.validator, notNullValue());
                    assertThat(t.wire, t.route.topic, notNullValue());
                }
                case PRESENCE -> assertThat(t.wire, t.route.topic, notNullValue());
                case DIRECTORY, GATEWAY -> assertThat(t.wire, t.route.topic, nullValue());
            }
        }
    }
}
