package dev.huddle.events.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.huddle.events.ChatMessage;
import dev.huddle.events.Command;
import dev.huddle.events.Origin;
import dev.huddle.json.Json;
import dev.huddle.json.JsonShapeException;

import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each internal command's data goes over the wire and back unchanged, and a record of another shape is refused. */
class CommandDataTest {
    private static final Origin ORIGIN = new Origin("gw-1", "conn-1", "peer-1");
    private static final ChatMessage MESSAGE = new ChatMessage("room", "abc123", new ChatMessage.Sender("peer-1",
            "Ann"), null, "hello", 1_700_000_000_000L);

    /** One of each, with every optional field set where there is one (Connected's remote and userAgent). */
    private static final List<CommandData> ALL = List.of(new Away("room"), new Back("room"),
            new Depart("room", "disconnected"), new Kick("room", "peer-2"), new CloseRoom("room"),
            new Lock("room", false), new Notice("room", "Closing soon"),
            new Hold("room", "peer-2", "{\"type\":\"signal\"}", 1_700_000_000_000L), new ChatPosted(MESSAGE),
            new Connected("hash", "10.0.0.7", "Agent/1"), new Disconnected(false), new Disconnected(true),
            new Resume("peer-1", "hash", "new-hash", "peer-3"), new Abandoned());

    @Test
    void everyCommandRoundTripsThroughItsWireForm() {
        for (CommandData data : ALL) {
            String wire = Json.write(Command.of(ORIGIN, "ref", "key", data, 1L));
            ParsedCommand parsed = ParsedCommand.read(wire);
            assertThat(data.type(), parsed.data(), is(data));
            assertThat(parsed.command().type(), is(data.type()));
            assertThat(parsed.command().origin(), is(ORIGIN));
        }
    }

    @Test
    void theWireFormIsWhatConsumersReadBefore() {
        assertThat(Json.write(new Depart("r", "disconnected").toJson()),
                is("{\"room\":\"r\",\"reason\":\"disconnected\"}"));
        assertThat(Json.write(new Hold("r", "p", "f", 5).toJson()),
                is("{\"room\":\"r\",\"to\":\"p\",\"frame\":\"f\",\"ingressTs\":5}"));
        assertThat(Json.write(new Lock("r", true).toJson()), is("{\"room\":\"r\",\"locked\":true}"));
        // chat_posted's data is the chat message as clients get it
        assertThat(new ChatPosted(MESSAGE).toJson(), is(Json.toTree(MESSAGE)));
        // a connection without a user agent: the field is there, null
        assertThat(Connected.from(Json.tree("{\"tokenHash\":\"h\"}")), is(new Connected("h", null, null)));
        assertThat(new Connected("h", null, null).toJson().get("userAgent").isNull(), is(true));
    }

    @Test
    void aMissingOrMistypedFieldMakesTheRecordBad() {
        for (CommandData data : ALL) {
            ObjectNode json = data.toJson();
            for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (optional(data, field)) {
                    continue;
                }
                ObjectNode without = json.deepCopy();
                without.remove(field);
                assertThrows(JsonShapeException.class, () -> CommandData.read(data.type(), without),
                        data.type() + " without " + field);
                ObjectNode mistyped = json.deepCopy();
                mistyped.putArray(field);
                assertThrows(JsonShapeException.class, () -> CommandData.read(data.type(), mistyped),
                        data.type() + " with an array for " + field);
            }
        }
        assertThrows(JsonShapeException.class, () -> CommandData.read("lock",
                Json.tree("{\"room\":\"r\",\"locked\":\"yes\"}")));
        assertThrows(JsonShapeException.class, () -> CommandData.read("hold",
                Json.tree("{\"room\":\"r\",\"to\":\"p\",\"frame\":\"f\",\"ingressTs\":\"5\"}")));
        assertThrows(JsonShapeException.class, () -> CommandData.read("depart", Json.tree("[]")));
    }

    @Test
    void aRecordThatIsNoCommandIsBad() {
        assertThrows(RuntimeException.class, () -> ParsedCommand.read("not json"));
        assertThrows(JsonShapeException.class, () -> ParsedCommand.read(null));
        assertThrows(JsonShapeException.class, () -> ParsedCommand.read("[1]"));
        assertThrows(JsonShapeException.class, () -> ParsedCommand.read("{\"id\":\"1\",\"data\":{}}"));
        assertThrows(JsonShapeException.class,
                () -> ParsedCommand.read("{\"id\":\"1\",\"type\":\"join\",\"data\":3}"));
        assertThrows(JsonShapeException.class, () -> ParsedCommand.read(
                "{\"id\":\"1\",\"type\":\"depart\",\"data\":{\"room\":\"r\"}}"));
    }

    @Test
    void clientRequestsKeepTheirFrameData() {
        ParsedCommand join = ParsedCommand.read("{\"v\":1,\"id\":\"1\",\"type\":\"join\",\"key\":\"r\","
                + "\"data\":{\"room\":\"r\",\"nickname\":\"Ann\"}}");
        assertThat(join.data(), is(nullValue()));
        assertThat(join.command().data().get("nickname").asText(), is("Ann"));
        JsonNode none = ParsedCommand.read("{\"id\":\"2\",\"type\":\"leave\"}").command().data();
        assertThat(none.isObject() && none.isEmpty(), is(true)); // absent data reads as {}
    }

    private static boolean optional(CommandData data, String field) {
        return data instanceof Connected && !field.equals("tokenHash")
                || data instanceof ChatPosted && field.equals("to")
                || data instanceof Disconnected && field.equals("ended");
    }
}
