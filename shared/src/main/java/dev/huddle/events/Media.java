package dev.huddle.events;

/** What a peer is sending: microphone, camera, screen. */
public record Media(boolean audio, boolean video, boolean screen) {
    public static final Media DEFAULT = new Media(true, true, false);
}
