package dev.huddle.rooms;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.huddle.events.ChatMessage;
import dev.huddle.events.Frames;
import dev.huddle.events.Peer;
import dev.huddle.json.Json;

import java.util.List;

/**
 * The client frames rooms-service sends (protocol.md), with their data as records so the field names are
 * written once.
 */
final class RoomFrames {
    /** Data of a join reply and of a {@code RESUME_ROOM} delivery. */
    record View(String room, Peer self, List<Peer> peers, List<ChatMessage> chat) {
    }

    /** {@code RESUME_ROOM} for a room the peer is no longer in, so the gateway does not wait for it. */
    record Gone(String room, boolean gone) {
    }

    record PeerJoined(String room, Peer peer) {
    }

    record PeerLeft(String room, String peerId, String reason) {
    }

    record PeerRenamed(String room, String peerId, String nickname) {
    }

    record PeerMedia(String room, String peerId, boolean audio, boolean video, boolean screen) {
    }

    record PeerHand(String room, String peerId, @JsonInclude(JsonInclude.Include.ALWAYS) Long hand) {
    }

    record PeerReconnected(String room, String peerId) {
    }

    record RoomOnly(String room) {
    }

    record Notice(String text, String room) {
    }

    private RoomFrames() {
    }

    static String view(View view) {
        return Json.write(view);
    }

    static String gone(String room) {
        return Json.write(new Gone(room, true));
    }

    static String peerJoined(String room, Peer peer) {
        return Frames.push("peer_joined", new PeerJoined(room, peer));
    }

    static String peerLeft(String room, String peerId, String reason) {
        return Frames.push("peer_left", new PeerLeft(room, peerId, reason));
    }

    static String peerRenamed(String room, String peerId, String nickname) {
        return Frames.push("peer_renamed", new PeerRenamed(room, peerId, nickname));
    }

    static String peerMedia(String room, String peerId, boolean audio, boolean video, boolean screen) {
        return Frames.push("peer_media", new PeerMedia(room, peerId, audio, video, screen));
    }

    static String peerHand(String room, String peerId, Long hand) {
        return Frames.push("peer_hand", new PeerHand(room, peerId, hand));
    }

    static String peerReconnected(String room, String peerId) {
        return Frames.push("peer_reconnected", new PeerReconnected(room, peerId));
    }

    static String kicked(String room) {
        return Frames.push("kicked", new RoomOnly(room));
    }

    static String roomClosed(String room) {
        return Frames.push("room_closed", new RoomOnly(room));
    }

    static String notice(String room, String text) {
        return Frames.push("notice", new Notice(text, room));
    }
}
