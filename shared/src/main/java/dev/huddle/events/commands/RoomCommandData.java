package dev.huddle.events.commands;

/** The internal commands on {@code room-commands}, for rooms-service; each names its room (the record's key). */
public sealed interface RoomCommandData extends CommandData
        permits Away, Back, Depart, Kick, CloseRoom, Lock, Notice, Hold, ChatPosted {
    String room();
}
