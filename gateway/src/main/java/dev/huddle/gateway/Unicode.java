package dev.huddle.gateway;

import java.text.Normalizer;

/**
 * The text helpers the protocol's rules need (protocol.md, "Validation"), in one place for the WebSocket requests
 * and the admin API: NFC and Unicode {@code White_Space} trimming, lengths in code points and UTF-8 bytes, and
 * what to do with unpaired surrogates, which JSON escapes can carry but UTF-8 cannot.
 */
public final class Unicode {
    private Unicode() {
    }

    /** NFC, then trimmed at both ends of the Unicode {@code White_Space} characters. */
    public static String normalise(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFC);
        int start = 0;
        int end = s.length();
        while (start < end && space(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && space(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** Unicode's White_Space property, exactly: not Java's isWhitespace (no U+0085, U+00A0, U+2007, U+202F). */
    public static boolean space(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    public static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }

    /** No unpaired surrogates (JSON escapes can make them; they are not text and break UTF-8 downstream). */
    public static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** At most 40 characters of client text for a message, never cut in half a pair. */
    static String shorten(String s) {
        if (s.length() <= 40) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(39)) ? 39 : 40;
        return s.substring(0, end) + "...";
    }

    /**
     * A frame that echoes client text (a ping's {@code t}, an error's {@code about}) can hold half a surrogate pair
     * that the client escaped in its JSON. Written raw, UTF-8 has no bytes for it and it would reach the client as
     * '?'; escaped again ({@code \ud800}) the client gets back what it sent, in valid UTF-8. Surrogates only occur
     * inside JSON strings, so the escape is always in a string.
     */
    static String escapeLoneSurrogates(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (!Character.isSurrogate(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(json.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(json.length() + 16).append(json, 0, i);
            }
            out.append(String.format("\\u%04x", (int) c));
        }
        return out == null ? json : out.toString();
    }

    /** UTF-8 bytes of {@code s} (a lone surrogate counts 3, as an encoder's replacement would). */
    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
