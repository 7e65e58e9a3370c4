package io.parley.server.clamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.server.scan.Scanner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clamd scanner against a real clamd the test starts (INSTREAM over its Unix socket). */
class ClamdScannerTest {

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void scan_ofEicar_isInfected_andOfACleanFile_isClean(@TempDir Path dir) throws Exception {
        try (ClamdProcess clamd = ClamdProcess.start(dir);
                ClamdScanner scanner = new ClamdScanner(clamd.address(), Duration.ofSeconds(30))) {
            Scanner.Verdict bad = scanner.scan(bytes(ClamdProcess.EICAR));
            assertThat(bad.infected()).isTrue();
            assertThat(bad.signature()).startsWith(ClamdProcess.SIGNATURE);
            assertThat(scanner.scan(bytes("hello, this is a perfectly ordinary text file\n"))
                            .infected())
                    .isFalse();
        }
    }

    @Test
    void scan_findsEicarBeyondTheFirstChunk(@TempDir Path dir) throws Exception {
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 'a');
        byte[] eicar = ClamdProcess.EICAR.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(eicar, 0, big, 200_000, eicar.length);
        try (ClamdProcess clamd = ClamdProcess.start(dir);
                ClamdScanner scanner = new ClamdScanner(clamd.address(), Duration.ofSeconds(30))) {
            assertThat(scanner.scan(new ByteArrayInputStream(big)).infected()).isTrue();
        }
    }

    @Test
    void scan_whenClamdIsDown_throws_neverAnswersClean(@TempDir Path dir) throws Exception {
        String address;
        try (ClamdProcess clamd = ClamdProcess.start(dir)) {
            address = clamd.address();
        }
        try (ClamdScanner scanner = new ClamdScanner(address, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> scanner.scan(bytes("anything"))).isInstanceOf(IOException.class);
            assertThat(scanner.ping()).isFalse();
        }
    }

    @Test
    void verdict_ofAnUnknownAnswer_isAFailure() {
        assertThatThrownBy(() -> ClamdScanner.verdict("stream: INSTREAM size limit exceeded. ERROR"))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ClamdScanner.verdict("")).isInstanceOf(IOException.class);
    }
}
