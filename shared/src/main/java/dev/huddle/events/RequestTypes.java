package dev.huddle.events;

import java.util.List;

/**
 * The {@code type} names of the client requests of protocol.md ("Requests"). A request keeps its protocol type as
 * the type of the {@link Command} the gateway makes of it, so the services match on these too. The gateway's
 * {@code RequestType} table says what happens to each; internal commands are in {@link CommandTypes}.
 */
public final class RequestTypes {
    public static final String LIST_ROOMS = "list_rooms";
    public static final String JOIN = "join";
    public static final String LEAVE = "leave";
    public static final String SIGNAL = "signal";
    public static final String CHAT = "chat";
    public static final String MEDIA = "media";
    public static final String RENAME = "rename";
    public static final String HAND = "hand";
    public static final String REACT = "react";
    public static final String RESUME = "resume";
    public static final String PING = "ping";

    /** Every request type, in protocol.md's order. */
    public static final List<String> ALL = List.of(LIST_ROOMS, JOIN, LEAVE, SIGNAL, CHAT, MEDIA, RENAME, HAND, REACT,
            RESUME, PING);

    private RequestTypes() {
    }
}
