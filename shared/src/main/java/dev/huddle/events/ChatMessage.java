package dev.huddle.events;

/** A chat message as clients receive it; {@code to} is set only on private messages. */
public record ChatMessage(String room, String id, Sender from, String to, String text, long ts) {
    public record Sender(String peerId, String nickname) {
    }
}
