package dev.huddle.gateway;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** gateway.allowed.origins patterns (pure). */
class OriginPolicyTest {

    @Test
    void defaultAllowsOwnOriginAndLocalDevelopment() {
        OriginPolicy p = OriginPolicy.parse(OriginPolicy.DEFAULT);
        assertThat(p.allows("https://meet.example.com", "meet.example.com"), is(true));
        assertThat(p.allows("http://meet.example.com:8080", "meet.example.com:8080"), is(true));
        assertThat(p.allows("https://meet.example.com", "meet.example.com:8080"), is(false));
        assertThat(p.allows("http://localhost:5173", "meet.example.com"), is(true));
        assertThat(p.allows("http://LOCALHOST:5173", "meet.example.com"), is(true));
        // protocol.md names localhost only: a loopback address is allowed as the gateway's own origin, no other port
        assertThat(p.allows("http://127.0.0.1:9", "meet.example.com"), is(false));
        assertThat(p.allows("http://127.0.0.1:8080", "127.0.0.1:8080"), is(true));
        assertThat(p.allows("https://localhost:5173", "meet.example.com"), is(false));
        assertThat(p.allows("http://localhost.evil.example", "meet.example.com"), is(false));
        assertThat(p.allows("https://evil.example", "meet.example.com"), is(false));
        assertThat(p.allows("null", "meet.example.com"), is(false));
        assertThat(p.allows("https://evil.example", null), is(false));
    }

    @Test
    void exactAndAny() {
        OriginPolicy exact = OriginPolicy.parse("https://a.example, http://b.example:8080");
        assertThat(exact.allows("https://a.example", "x"), is(true));
        assertThat(exact.allows("https://a.example:443", "x"), is(true));
        assertThat(exact.allows("https://a.example:444", "x"), is(false));
        assertThat(exact.allows("http://b.example:8080", "x"), is(true));
        assertThat(exact.allows("http://b.example", "x"), is(false));
        assertThat(OriginPolicy.parse("*").allows("https://anything.example", null), is(true));
        assertThrows(IllegalArgumentException.class, () -> OriginPolicy.parse("not an origin"));
    }
}
