package io.parley.server.attach;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The type of a file from its first bytes (magic numbers), never from what the client said. Markup a browser would run
 * (HTML, SVG, XML) is recognised as such so that it can be refused or served only as a download. Text is UTF-8 without
 * NUL bytes; anything else unknown is {@code application/octet-stream}.
 */
final class Sniffer {
    private Sniffer() {}

    /** How many leading bytes {@link #sniff} looks at. */
    static final int HEAD = 4096;

    static String sniff(byte[] head, int n) {
        if (starts(head, n, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return "image/png";
        }
        if (starts(head, n, 0xFF, 0xD8, 0xFF)) {
            return "image/jpeg";
        }
        if (starts(head, n, 'G', 'I', 'F', '8')) {
            return "image/gif";
        }
        if (n >= 12
                && starts(head, n, 'R', 'I', 'F', 'F')
                && head[8] == 'W'
                && head[9] == 'E'
                && head[10] == 'B'
                && head[11] == 'P') {
            return "image/webp";
        }
        if (starts(head, n, '%', 'P', 'D', 'F', '-')) {
            return "application/pdf";
        }
        if (starts(head, n, 'P', 'K', 3, 4) || starts(head, n, 'P', 'K', 5, 6)) {
            return "application/zip";
        }
        if (starts(head, n, 0x7F, 'E', 'L', 'F') || starts(head, n, 'M', 'Z')) {
            return "application/x-executable";
        }
        String text = utf8(head, n);
        if (text == null) {
            return "application/octet-stream";
        }
        String t = text.stripLeading().toLowerCase(Locale.ROOT);
        if (t.startsWith("<svg") || (t.startsWith("<?xml") && t.contains("<svg"))) {
            return "image/svg+xml";
        }
        if (t.startsWith("<!doctype html")
                || t.startsWith("<html")
                || t.startsWith("<script")
                || t.startsWith("<head")
                || t.startsWith("<body")
                || t.startsWith("<iframe")) {
            return "text/html";
        }
        if (t.startsWith("<?xml")) {
            return "application/xml";
        }
        return "text/plain";
    }

    /** Types a browser could run as script or markup on Parley's origin if served inline. */
    static boolean executable(String type) {
        return type.equals("text/html")
                || type.equals("image/svg+xml")
                || type.equals("application/xml")
                || type.equals("text/xml")
                || type.contains("javascript")
                || type.equals("application/xhtml+xml")
                || type.equals("application/x-executable");
    }

    /** Images shown inline (previews, full size): everything else is served as a download. */
    static boolean inlineImage(String type) {
        return type.equals("image/png")
                || type.equals("image/jpeg")
                || type.equals("image/gif")
                || type.equals("image/webp");
    }

    private static boolean starts(byte[] b, int n, int... magic) {
        if (n < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The head as UTF-8 text, or null when it has NUL bytes or is no UTF-8 (a sequence cut at the end is fine). */
    private static String utf8(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] == 0) {
                return null;
            }
        }
        int end = n;
        // Drop a multi-byte sequence the head cut in two.
        int back = 0;
        while (back < 3 && end - back - 1 >= 0 && (b[end - back - 1] & 0xC0) == 0x80) {
            back++;
        }
        if (end - back - 1 >= 0 && (b[end - back - 1] & 0xC0) == 0xC0) {
            end = end - back - 1;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, 0, end))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
