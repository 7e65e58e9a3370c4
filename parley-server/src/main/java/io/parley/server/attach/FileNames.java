package io.parley.server.attach;

import io.parley.protocol.ErrorCode;
import io.parley.server.store.AttachmentRefused;
import java.nio.charset.StandardCharsets;

/**
 * File names as uploaders give them: shown to other members and put in Content-Disposition, so a name is refused
 * (never silently rewritten) when it holds a path ({@code /}, {@code \}, or is {@code .} or {@code ..}), a control
 * character, a bidirectional control (which can make {@code evil\u202Efdp.exe} read as {@code evilexe.pdf}), or is
 * empty or longer than 255 UTF-8 bytes.
 */
final class FileNames {
    private FileNames() {}

    static final int MAX_BYTES = 255;

    static String check(String name) {
        if (name == null || name.isBlank()) {
            throw invalid("the file name is empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid("the file name is longer than " + MAX_BYTES + " bytes");
        }
        if (name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            throw invalid("the file name must not be or contain a path");
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (Character.getType(cp) == Character.CONTROL) {
                throw invalid("the file name holds a control character (U+" + hex(cp) + ")");
            }
            if (bidi(cp)) {
                throw invalid("the file name holds a bidirectional control (U+" + hex(cp) + ")");
            }
            i += Character.charCount(cp);
        }
        return name;
    }

    private static boolean bidi(int cp) {
        return cp == 0x061C
                || cp == 0x200E
                || cp == 0x200F
                || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069);
    }

    private static String hex(int cp) {
        return String.format("%04X", cp);
    }

    private static AttachmentRefused invalid(String why) {
        return new AttachmentRefused(ErrorCode.ATTACHMENT_NAME_INVALID, why);
    }
}
