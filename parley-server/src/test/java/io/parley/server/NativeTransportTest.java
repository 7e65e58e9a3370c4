package io.parley.server;

import io.parley.client.MessageState;
import io.parley.client.OutgoingMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * http.native-transport: on Linux (x86_64, aarch64) the server runs on Netty's epoll transport by default, and on NIO
 * with the key set to false; a group conversation works end to end on either (send, durable ack, fanout).
 */
class NativeTransportTest {

    static boolean linuxWithNativeLibrary() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void groupChatWorks_onTheConfiguredTransport(boolean nativeTransport) throws Exception {
        Path dir = Files.createTempDirectory("parley-transport");
        try (TestServer server = new TestServer(dir, Map.of("http.native-transport", Boolean.toString(nativeTransport)))
                .start()) {
            assertThat(server.server().nativeTransport()).isEqualTo(nativeTransport && linuxWithNativeLibrary());
            for (String u : new String[] {"ann", "bob"}) {
                new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
            }
            String group = new Rest(server.httpUrl(), TestServer.token("ann")).group("pair", "bob");
            try (Chatter ann = Chatter.connect("ann", server.wsUrl());
                 Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                OutgoingMessage m = ann.send(group, "over " + (nativeTransport ? "epoll" : "nio"));
                m.acked().get(10, TimeUnit.SECONDS);
                assertThat(m.state()).isEqualTo(MessageState.SENT);
                bob.awaitCount(group, 1, Duration.ofSeconds(10));
                assertThat(bob.messages(group).get(0).body()).isEqualTo("over " + (nativeTransport ? "epoll" : "nio"));
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
