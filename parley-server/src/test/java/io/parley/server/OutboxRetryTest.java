package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.MessageState;
import io.parley.client.OutgoingMessage;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket is cut after a send reached the server and before its ack reached the client: the SDK re-sends after
 * reconnecting with the same clientMsgId, gets the original ack, and the message is stored exactly once.
 */
class OutboxRetryTest {

    @Test
    void ackLostWithTheConnection_sdkResends_andMessageIsStoredExactlyOnce(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (TestServer server = new TestServer(dir).start();
                TcpProxy proxy = new TcpProxy(vertx, server.port())) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            Rest aliceRest = new Rest(server.httpUrl(), TestServer.token("alice"));
            String dm = aliceRest.direct("bob");
            long before = aliceRest.get("/api/v1/conversations/" + dm).json().getLong("lastSeq");

            try (Chatter alice = Chatter.connect("alice", "ws://127.0.0.1:" + proxy.port + "/ws");
                    Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                proxy.blackholeDownstream();
                OutgoingMessage m = alice.send(dm, "sent once, acked late");
                // The server stored it (Bob, on a direct connection, receives it) but Alice hears nothing.
                bob.awaitCount(dm, 1, Duration.ofSeconds(10));
                assertThat(m.state()).isEqualTo(MessageState.PENDING);

                // The ack may still be on its way from the server; it dies with the blackholed connection.
                proxy.cutAll();
                var ack = m.acked().get(20, TimeUnit.SECONDS);

                assertThat(m.state()).isEqualTo(MessageState.SENT);
                assertThat(ack.duplicate())
                        .as("the re-send was answered with the original ack: %s; client closes: %s", ack, alice.closes)
                        .isTrue();
                assertThat(ack.seq()).isEqualTo(before + 1);
                JsonObject history = aliceRest
                        .get("/api/v1/conversations/" + dm + "/messages?after=" + before)
                        .json();
                assertThat(history.getJsonArray("messages")).hasSize(1);
                assertThat(history.getJsonArray("messages").getJsonObject(0).getString("clientMsgId"))
                        .isEqualTo(m.clientMsgId());
                // Bob got it once, and Alice's replay after reconnect delivered it to her once too.
                assertThat(bob.messages(dm)).hasSize(1);
                alice.awaitCount(dm, 1, Duration.ofSeconds(10));
                assertThat(alice.messages(dm)).hasSize(1);
            }
        } finally {
            vertx.close();
        }
    }
}
