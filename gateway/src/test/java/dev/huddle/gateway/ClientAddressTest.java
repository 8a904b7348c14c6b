package dev.huddle.gateway;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientAddressTest {
    private final ClientAddress behindIngress = ClientAddress.trusting("10.0.0.0/8, ::1");

    @Test
    void aDirectClientIsItsTcpPeerWhateverItClaims() {
        assertThat(behindIngress.resolve("203.0.113.9", "198.51.100.1"), is("203.0.113.9"));
        assertThat(ClientAddress.trusting("").resolve("10.1.2.3", "198.51.100.1"), is("10.1.2.3"));
    }

    @Test
    void behindATrustedProxyTheRightMostUntrustedHopCounts() {
        assertThat(behindIngress.resolve("10.1.2.3", "198.51.100.1"), is("198.51.100.1"));
        // a client prepending a fake address does not change who it is
        assertThat(behindIngress.resolve("10.1.2.3", "1.2.3.4, 198.51.100.1"), is("198.51.100.1"));
        // two trusted hops
        assertThat(behindIngress.resolve("10.1.2.3", "198.51.100.1, 10.9.9.9"), is("198.51.100.1"));
        assertThat(behindIngress.resolve("::1", "2001:db8::7"), is("2001:db8::7"));
    }

    @Test
    void garbageInTheHeaderStopsTheWalk() {
        assertThat(behindIngress.resolve("10.1.2.3", "evil.example, 198.51.100.1"), is("198.51.100.1"));
        assertThat(behindIngress.resolve("10.1.2.3", "not-an-ip"), is("10.1.2.3"));
        assertThat(behindIngress.resolve("10.1.2.3", ""), is("10.1.2.3"));
    }

    @Test
    void aBadSettingIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting("ingress.local"));
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting("10.0.0.0/33"));
    }
}
