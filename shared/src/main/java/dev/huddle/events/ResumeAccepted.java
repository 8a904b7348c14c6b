package dev.huddle.events;

import java.util.List;

/** Presence accepted a resume: the connection now speaks for {@code peerId}, in these rooms. */
public record ResumeAccepted(String peerId, List<String> rooms) {
}
