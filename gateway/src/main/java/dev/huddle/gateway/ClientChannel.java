package dev.huddle.gateway;

/** Where a connection's frames for the client go ({@link Outbound}; tests use a list). */
interface ClientChannel {
    /** Queues a text frame. */
    void send(String frame);

    /**
     * Sends what is queued, then a close frame; {@code drop}: then cuts the TCP connection too.
     *
     * @return false if the connection was closing already
     */
    boolean close(int code, String reason, boolean drop);

    boolean closing();
}
