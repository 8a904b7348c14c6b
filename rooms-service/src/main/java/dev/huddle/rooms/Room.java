package dev.huddle.rooms;

import dev.huddle.events.ChatMessage;
import dev.huddle.events.DirectoryEntry;
import dev.huddle.delivery.Deliveries;
import dev.huddle.delivery.Target;
import dev.huddle.events.Member;
import dev.huddle.events.Peer;

import java.util.ArrayList;
import java.util.List;

/**
 * The working copy of one room while a batch of commands is applied to it. The committed state stays an
 * immutable {@link RoomState} until the batch's writes are acknowledged, so a failed batch can simply be applied
 * again.
 */
final class Room {
    final String name;
    final String passwordHash;
    final boolean hidden;
    final long created;
    boolean locked;
    private final List<Member> members;
    private final List<ChatMessage> chat;
    private final List<RoomState.Held> held;

    private Room(String name, List<Member> members, String passwordHash, boolean hidden, boolean locked,
                 long created, List<ChatMessage> chat, List<RoomState.Held> held) {
        this.name = name;
        this.members = new ArrayList<>(members);
        this.passwordHash = passwordHash;
        this.hidden = hidden;
        this.locked = locked;
        this.created = created;
        this.chat = new ArrayList<>(chat);
        this.held = new ArrayList<>(held);
    }

    static Room create(String name, String passwordHash, boolean hidden, long created) {
        return new Room(name, List.of(), passwordHash, hidden, false, created, List.of(), List.of());
    }

    /** The working copy of a live room's committed state. */
    static Room of(RoomState s) {
        return new Room(s.name(), s.members(), s.passwordHash(), s.hidden(), s.locked(), s.created(),
                s.chat() == null ? List.of() : s.chat(), s.held() == null ? List.of() : s.held());
    }

    RoomState state(long lastOffset, List<String> recentIds, List<RoomState.Outgoing> outbox) {
        return new RoomState(name, List.copyOf(members), passwordHash, hidden, locked, created, List.copyOf(chat),
                lastOffset, recentIds, outbox, 0, List.copyOf(held));
    }

    Member member(String peerId) {
        for (Member m : members) {
            if (m.peerId().equals(peerId)) {
                return m;
            }
        }
        return null;
    }

    int size() {
        return members.size();
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    void add(Member member) {
        members.add(member);
    }

    /** Replaces the member with the same peerId, keeping its place in the join order. */
    void update(Member member) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).peerId().equals(member.peerId())) {
                members.set(i, member);
                return;
            }
        }
    }

    /** Removes the member, and whatever was held for it. */
    void remove(String peerId) {
        members.removeIf(m -> m.peerId().equals(peerId));
        held.removeIf(h -> h.peerId().equals(peerId));
    }

    /**
     * Keeps a frame for an away member, after the ones held before. Beyond {@code maxPerPeer} frames for that
     * member, or {@code maxChars} characters for the whole room, the oldest go.
     *
     * @return how many old frames were dropped to make room
     */
    int hold(RoomState.Held frame, int maxPerPeer, int maxChars) {
        held.add(frame);
        int dropped = 0;
        long forPeer = held.stream().filter(h -> h.peerId().equals(frame.peerId())).count();
        for (var it = held.iterator(); forPeer > maxPerPeer && it.hasNext(); ) {
            if (it.next().peerId().equals(frame.peerId())) {
                it.remove();
                forPeer--;
                dropped++;
            }
        }
        long chars = held.stream().mapToLong(h -> h.frame().length()).sum();
        while (chars > maxChars && held.size() > 1) {
            chars -= held.removeFirst().frame().length();
            dropped++;
        }
        return dropped;
    }

    /** Removes and returns, oldest first, what was held for {@code peerId}. */
    List<RoomState.Held> takeHeld(String peerId) {
        List<RoomState.Held> taken = held.stream().filter(h -> h.peerId().equals(peerId)).toList();
        held.removeAll(taken);
        return taken;
    }

    /** Where the members with a connection are, except {@code peerId} ({@code null}: everyone). */
    List<Target> present(String except) {
        return Deliveries.present(members, except);
    }

    /** Appends a public message unless it is there already; keeps the latest {@code keep}. */
    boolean addChat(ChatMessage message, int keep) {
        for (ChatMessage m : chat) {
            if (m.id().equals(message.id())) {
                return false;
            }
        }
        chat.add(message);
        while (chat.size() > keep) {
            chat.removeFirst();
        }
        return true;
    }

    /** What a joiner (or a resumed peer) gets: itself, the others in join order, the chat oldest first. */
    RoomFrames.View view(String peerId) {
        Peer self = member(peerId).peer();
        List<Peer> peers = members.stream().filter(m -> !m.peerId().equals(peerId)).map(Member::peer).toList();
        return new RoomFrames.View(name, self, peers, List.copyOf(chat));
    }

    /** The room's line in the public list, or {@code null} (a tombstone) for a private, ended or absent room. */
    static DirectoryEntry directoryEntry(RoomState s, int capacity) {
        return s == null || !s.live() || s.hidden() ? null
                : new DirectoryEntry(s.name(), s.members().size(), capacity, s.passwordHash() != null, s.locked(),
                        s.created());
    }
}
