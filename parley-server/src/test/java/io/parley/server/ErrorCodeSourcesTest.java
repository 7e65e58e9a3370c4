package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ErrorCode is the one source of truth for error codes, their HTTP status and whether a client may retry them. The
 * places that repeat it for other readers are generated from it (clients/js/src/protocol.js, which the JS client
 * imports and the jar serves in webroot) or checked against it (the tables of docs/protocol.md and docs/api.md), so
 * none of them can drift again.
 * <p>
 * After changing ErrorCode: {@code mvn -pl parley-server test -Dtest=ErrorCodeSourcesTest -Dparley.regenerate=true},
 * then update the docs tables until this test passes.
 */
class ErrorCodeSourcesTest {
    private static final Path PROTOCOL_JS = Path.of("../clients/js/src/protocol.js");
    private static final Path CLIENT_JS = Path.of("../clients/js/src/parley-client.js");
    private static final Path PROTOCOL_MD = Path.of("../docs/protocol.md");
    private static final Path API_MD = Path.of("../docs/api.md");

    static String protocolJs() {
        StringBuilder s = new StringBuilder()
                .append(
                        "// Generated from io.parley.protocol.ErrorCode by ErrorCodeSourcesTest: do not edit. Regenerate with\n")
                .append("// mvn -pl parley-server test -Dtest=ErrorCodeSourcesTest -Dparley.regenerate=true\n\n")
                .append("/**\n")
                .append(
                        " * Error codes of error frames and REST error bodies (docs/protocol.md): the HTTP status of a REST answer\n")
                .append(
                        " * with the code, and whether the same request may succeed when sent again unchanged (a pending send\n")
                .append(" * refused with a code that is not retryable fails at once).\n")
                .append(" */\n")
                .append("export const ErrorCodes = Object.freeze({\n");
        for (ErrorCode c : ErrorCode.values()) {
            s.append("  ")
                    .append(c.wire())
                    .append(": Object.freeze({ status: ")
                    .append(c.httpStatus())
                    .append(", retryable: ")
                    .append(c.retryable())
                    .append(" }),\n");
        }
        return s.append("});\n").toString();
    }

    @Test
    void protocolJs_isGeneratedFromErrorCode() throws IOException {
        String expected = protocolJs();
        if (Boolean.getBoolean("parley.regenerate")) {
            Files.writeString(PROTOCOL_JS, expected, StandardCharsets.UTF_8);
        }
        assertThat(PROTOCOL_JS).exists();
        assertThat(Files.readString(PROTOCOL_JS))
                .as("%s is stale: regenerate it with -Dtest=ErrorCodeSourcesTest -Dparley.regenerate=true", PROTOCOL_JS)
                .isEqualTo(expected);
    }

    /**
     * The JS client takes its permanent errors from protocol.js (it once kept a list of its own that drifted from the
     * Java SDK's), and every code it raises itself is a known one or one of its own documented client-side codes.
     */
    @Test
    void parleyClientJs_derivesPermanentErrorsFromProtocolJs() throws IOException {
        String js = Files.readString(CLIENT_JS);
        assertThat(js)
                .contains("import { ErrorCodes } from './protocol.js';")
                .contains(
                        "PERMANENT_ERRORS = new Set(Object.keys(ErrorCodes).filter((code) => !ErrorCodes[code].retryable));");
        Matcher m = Pattern.compile("(?:ParleyError|_fail\\(\\w+,) ?\\(?'([a-z_]+)'")
                .matcher(js);
        TreeSet<String> raised = new TreeSet<>();
        while (m.find()) {
            raised.add(m.group(1));
        }
        assertThat(raised)
                .as("codes parley-client.js raises (is the pattern still right?)")
                .contains("closed");
        raised.removeAll(wireNames());
        // docs/client-js.md: the client's own codes for what never reached the server.
        assertThat(raised)
                .as("codes parley-client.js raises that ErrorCode does not know")
                .isSubsetOf("closed", "offline", "disconnected");
    }

    /** Every code appears in the table with its status and retry meaning, and the table has no code of its own. */
    @Test
    void protocolMd_errorTable_hasEveryCodeWithItsStatusAndRetryMeaning() throws IOException {
        Map<String, List<String[]>> rows = new TreeMap<>();
        for (String[] cells : table(Files.readString(PROTOCOL_MD), "## Error codes")) {
            Matcher m = Pattern.compile("^`([a-z_]+)`").matcher(cells[0]);
            assertThat(m.find())
                    .as("a row of the error table that names no code: %s", Arrays.toString(cells))
                    .isTrue();
            rows.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(cells);
        }
        assertThat(rows.keySet()).as("codes in docs/protocol.md").isEqualTo(wireNames());
        for (ErrorCode c : ErrorCode.values()) {
            for (String[] cells : rows.get(c.wire())) {
                assertThat(cells).as("columns of the row of %s", c.wire()).hasSize(4);
                assertThat(cells[2])
                        .as("HTTP status of %s in docs/protocol.md", c.wire())
                        .isEqualTo(String.valueOf(c.httpStatus()));
                assertThat(!cells[3].startsWith("no"))
                        .as("'retry?' of %s in docs/protocol.md: '%s'", c.wire(), cells[3])
                        .isEqualTo(c.retryable());
            }
        }
    }

    /** docs/api.md groups codes by status: each code it lists sits under its own status. */
    @Test
    void apiMd_statusTable_agreesWithErrorCode() throws IOException {
        int listed = 0;
        for (String[] cells : table(Files.readString(API_MD), "Errors have one shape")) {
            Matcher m = Pattern.compile("`([a-z_]+)`").matcher(cells[1]);
            while (m.find()) {
                ErrorCode c = ErrorCode.fromWire(m.group(1));
                assertThat(c)
                        .as("docs/api.md names an unknown code %s", m.group(1))
                        .isNotNull();
                assertThat(cells[0])
                        .as("status of %s in docs/api.md", c.wire())
                        .isEqualTo(String.valueOf(c.httpStatus()));
                listed++;
            }
        }
        assertThat(listed).as("codes in the status table of docs/api.md").isPositive();
    }

    private static TreeSet<String> wireNames() {
        TreeSet<String> names = new TreeSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            names.add(c.wire());
        }
        return names;
    }

    /** The body rows of the first Markdown table after {@code heading}, as trimmed cells. */
    private static List<String[]> table(String markdown, String heading) {
        int at = markdown.indexOf(heading);
        assertThat(at).as("'%s' in the docs", heading).isNotNegative();
        List<String[]> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : markdown.substring(at).split("\n")) {
            if (line.startsWith("|")) {
                inTable = true;
                String[] cells = line.substring(1, line.lastIndexOf('|')).split("\\|", -1);
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                rows.add(cells);
            } else if (inTable) {
                break;
            }
        }
        assertThat(rows.size()).as("rows of the table after '%s'", heading).isGreaterThan(2);
        return rows.subList(2, rows.size());
    }
}
