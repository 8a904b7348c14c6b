package dev.huddle.events;

/** What a peer is sending: microphone, camera, screen. */
public record Media(boolean audio, boolean video, boolean screen) {
    /** A joiner that said nothing sends nothing (protocol.md: media defaults to all false). */
    public static final Media DEFAULT = new Media(false, false, false);
}
