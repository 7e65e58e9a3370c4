package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.client.ConnectionState;
import io.parley.client.MessageState;
import io.parley.client.OutgoingMessage;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyListener;
import io.parley.protocol.ServerFrame;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java SDK and the moderation queue on a real node (docs/protocol.md, "Held messages"): a low-reputation
 * sender's send is answered HELD (an answer, not an error and not an ack), is not re-sent after a reconnect, and a
 * server admin's decision reaches the SDK by clientMsgId: approved as SENT with its seq, rejected as REJECTED.
 */
class SdkHeldMessagesTest {
    private static final String SPAM = "buy http://spam.example now";

    @TempDir
    Path dir;

    private final ManualScheduler time = new ManualScheduler();
    private TestServer server;
    private String group;
    private ParleyClient client;
    private final BlockingQueue<OutgoingMessage> changes = new LinkedBlockingQueue<>();
    private final BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
    private final List<ServerFrame.Held> heldFrames = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir.resolve("data"), Map.of("moderation.enabled", "true"))
                .on(time)
                .start();
        for (String u : List.of("root", "ow", "mem")) {
            assertThat(rest(u).get("/api/v1/me").status()).isEqualTo(200);
        }
        server.grantAdmin("root");
        group = rest("ow").group("g", "mem");
        String token = TestServer.token("mem");
        client = ParleyClient.builder()
                .uri(URI.create(server.wsUrl()))
                .tokenSupplier(() -> token)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .listener(new ParleyListener() {
                    @Override
                    public void onMessageStateChanged(OutgoingMessage message) {
                        changes.add(message);
                    }

                    @Override
                    public void onStateChanged(ConnectionState state) {
                        states.add(state);
                    }

                    @Override
                    public void onHeld(ServerFrame.Held held) {
                        heldFrames.add(held);
                    }
                })
                .build();
        client.connect().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private Rest rest(String user) {
        return new Rest(server.httpUrl(), TestServer.token(user));
    }

    private OutgoingMessage nextChange() throws InterruptedException {
        OutgoingMessage m = changes.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a message state change").isNotNull();
        return m;
    }

    private OutgoingMessage sendHeld() throws Exception {
        OutgoingMessage m = client.send(group, "h1", SPAM);
        OutgoingMessage.Answer answer = m.answered().get(10, TimeUnit.SECONDS);
        assertThat(answer.state()).isEqualTo(MessageState.HELD);
        assertThat(answer.ack()).isNull();
        assertThat(answer.held().status()).isEqualTo("held");
        assertThat(answer.held().seq()).isNull();
        assertThat(nextChange()).isSameAs(m);
        assertThat(m.state()).isEqualTo(MessageState.HELD);
        assertThat(m.acked()).isNotDone();
        assertThat(client.pending()).isEmpty();
        assertThat(client.held()).containsExactly(m);
        return m;
    }

    @Test
    void heldSend_answersHeld_andIsNotResentAfterAReconnect() throws Exception {
        OutgoingMessage m = sendHeld();
        states.clear();
        client.abortConnection();
        // The next LIVE after the drop: the welcome re-sent whatever the outbox still had.
        ConnectionState st;
        do {
            st = states.poll(10, TimeUnit.SECONDS);
            assertThat(st).as("the client reconnects").isNotNull();
        } while (st != ConnectionState.LIVE);
        // A plain send after the reconnect: its ack comes after the answer to anything the welcome re-sent.
        OutgoingMessage plain = client.send(group, "p1", "hello all");
        assertThat(plain.answered().get(10, TimeUnit.SECONDS).state()).isEqualTo(MessageState.SENT);

        assertThat(heldFrames).hasSize(1); // no duplicate held answer: the held message was not sent again
        assertThat(heldFrames.get(0).duplicate()).isFalse();
        assertThat(m.state()).isEqualTo(MessageState.HELD);
        assertThat(client.held()).containsExactly(m);
        assertThat(rest("root").get("/api/v1/admin/queue").json().getJsonArray("items"))
                .hasSize(1);
    }

    @Test
    void adminApproval_reachesTheSdkAsSentWithItsSeq() throws Exception {
        OutgoingMessage m = sendHeld();
        long heldId = m.held().heldId();

        Rest.Response approve = rest("root").post("/api/v1/admin/queue/" + heldId + "/approve", new JsonObject());

        assertThat(approve.status()).as(approve.toString()).isEqualTo(200);
        long seq = approve.json().getJsonObject("item").getLong("seq");
        assertThat(nextChange()).isSameAs(m);
        assertThat(m.state()).isEqualTo(MessageState.SENT);
        assertThat(m.acked().get(10, TimeUnit.SECONDS).seq()).isEqualTo(seq);
        assertThat(m.ack().clientMsgId()).isEqualTo("h1");
        assertThat(client.held()).isEmpty();
        assertThat(heldFrames).extracting(ServerFrame.Held::status).containsExactly("held", "approved");
    }

    @Test
    void adminRejection_reachesTheSdkAsRejected() throws Exception {
        OutgoingMessage m = sendHeld();
        long heldId = m.held().heldId();

        Rest.Response reject = rest("root").post("/api/v1/admin/queue/" + heldId + "/reject", new JsonObject());

        assertThat(reject.status()).as(reject.toString()).isEqualTo(200);
        assertThat(nextChange()).isSameAs(m);
        assertThat(m.state()).isEqualTo(MessageState.REJECTED);
        assertThat(m.held().status()).isEqualTo("rejected");
        assertThatThrownBy(() -> m.acked().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        OutgoingMessage.SendFailedException.class,
                        e -> assertThat(e.code()).isEqualTo(OutgoingMessage.REJECTED_CODE));
        assertThat(client.held()).isEmpty();

        // A re-send of the same clientMsgId (e.g. by a later session) answers rejected: surfaced the same way.
        OutgoingMessage again = client.send(group, "h1", SPAM);
        OutgoingMessage.Answer answer = again.answered().get(10, TimeUnit.SECONDS);
        assertThat(answer.state()).isEqualTo(MessageState.REJECTED);
        assertThat(nextChange()).isSameAs(again);
        assertThat(again.state()).isEqualTo(MessageState.REJECTED);
    }
}
