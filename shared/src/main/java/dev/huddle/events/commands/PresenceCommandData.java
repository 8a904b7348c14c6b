package dev.huddle.events.commands;

/** The internal commands on {@code presence} (keyed by peerId), for presence-service. */
public sealed interface PresenceCommandData extends CommandData
        permits Connected, Disconnected, Resume, Abandoned {
}
