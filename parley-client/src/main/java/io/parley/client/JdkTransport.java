package io.parley.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Socket attempts over the JDK WebSocket: each assembles partial text messages, serialises writes (the JDK allows
 * one outstanding send), and reports {@code opened}, each text message, and the end (once) to its
 * {@link Connection.Events} on the client's thread. A failed write or connect ends it like a network loss (1006).
 */
final class JdkTransport implements Transport {
    private final HttpClient http;

    JdkTransport(HttpClient http) {
        this.http = http;
    }

    /** Starts connecting; everything that follows is reported to {@code events}. */
    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the chain ends in the handler that reports the failure
    public Connection open(URI target, Executor exec, Connection.Events events) {
        JdkConnection c = new JdkConnection(exec, events);
        http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(target, c.new Listener())
                .whenCompleteAsync(
                        (ws, err) -> {
                            if (err != null) {
                                c.end(1006, "connect failed: " + err.getMessage());
                            }
                        },
                        exec);
        return c;
    }

    private static final class JdkConnection implements Connection {
        private final Executor exec;
        private final Events events;
        private WebSocket ws;
        private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
        private boolean ended;

        JdkConnection(Executor exec, Events events) {
            this.exec = exec;
            this.events = events;
        }

        /** Queues a text frame behind earlier ones. On the client's thread. */
        @Override
        public void send(String text) {
            WebSocket w = ws;
            if (w == null || ended) {
                return;
            }
            sendChain = sendChain
                    .thenCompose(x -> w.sendText(text, true))
                    .whenCompleteAsync(
                            (x, err) -> {
                                if (err != null) {
                                    w.abort();
                                    end(1006, "write failed: " + err.getMessage());
                                }
                            },
                            exec);
        }

        /** Drops the socket without a close handshake and reports the end as 1006. On the client's thread. */
        @Override
        public void abort(String reason) {
            if (ws != null) {
                ws.abort();
            }
            end(1006, reason);
        }

        /** Closes with a handshake (aborting if the server does not answer in 2 s), without reporting the end. */
        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // the chain ends in abort(), which cannot fail
        public void close(int code, String reason) {
            ended = true;
            WebSocket w = ws;
            if (w != null) {
                w.sendClose(code, reason).orTimeout(2, TimeUnit.SECONDS).whenComplete((x, e) -> w.abort());
            }
        }

        private void end(int code, String reason) {
            if (!ended) {
                ended = true;
                events.ended(this, code, reason);
            }
        }

        /** JDK callbacks: assemble messages and hop onto the client thread. */
        private final class Listener implements WebSocket.Listener {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public void onOpen(WebSocket socket) {
                // Runs before any onText, so the socket is in place when the first message is handled.
                exec.execute(() -> {
                    if (ended) {
                        socket.abort();
                        return;
                    }
                    ws = socket;
                    events.opened(JdkConnection.this);
                });
                socket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    exec.execute(() -> {
                        if (!ended) {
                            events.text(JdkConnection.this, text);
                        }
                    });
                }
                socket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
                exec.execute(() -> end(statusCode, reason));
                return null;
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                exec.execute(() -> end(1006, String.valueOf(error)));
            }
        }
    }
}
