package dev.huddle.gateway.admin;

/**
 * What the gateway holding a connection counts for it: frames and bytes in and out (UTF-8 bytes of text frames),
 * and the last error code it was answered with and when ({@code null}: none yet).
 */
public record SocketCounters(long framesIn, long framesOut, long bytesIn, long bytesOut, String lastError,
                             Long lastErrorTs) {
}
