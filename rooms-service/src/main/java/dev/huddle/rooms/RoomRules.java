package dev.huddle.rooms;

import io.helidon.config.Config;

/**
 * The configurable rules of rooms ({@code rooms.*} in rooms-service.yaml).
 *
 * @param capacity           most members of one room
 * @param history            public chat messages kept per room (and sent to joiners)
 * @param holdMax            signals and private chats kept per away member (the latest)
 * @param holdChars          characters of held frames kept per room (the latest), so that a room's snapshot
 *                           stays far below the broker's record size limit
 */
record RoomRules(int capacity, int history, int holdMax, int holdChars) {

    static RoomRules from(Config config) {
        Config rooms = config.get("rooms");
        return new RoomRules(rooms.get("capacity").asInt().orElse(8),
                rooms.get("history").asInt().orElse(50),
                rooms.get("hold.max").asInt().orElse(256),
                rooms.get("hold.chars").asInt().orElse(262_144));
    }
}
