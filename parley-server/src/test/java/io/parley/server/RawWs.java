package io.parley.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain WebSocket client (Vert.x) for protocol-level tests: sends raw text, records every frame and the close code.
 */
public final class RawWs implements AutoCloseable {
    private final WebSocketClient client;
    private final WebSocket ws;
    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile String closeReason;

    private RawWs(WebSocketClient client, WebSocketConnectOptions options) {
        this.client = client;
        ClientWebSocket ws = client.webSocket();
        this.ws = ws;
        // Handlers before connect, so that no frame (the welcome, an immediate close) can be missed.
        ws.textMessageHandler(t -> frames.add(new JsonObject(t)));
        ws.closeHandler(v -> {
            closeReason = ws.closeReason();
            closed.complete(ws.closeStatusCode() == null ? -1 : (int) ws.closeStatusCode());
        });
        try {
            ws.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
        }
    }

    public static RawWs connect(Vertx vertx, int port, String uri) {
        return connect(vertx, port, uri, Map.of());
    }

    public static RawWs connect(Vertx vertx, int port, String uri, Map<String, String> headers) {
        WebSocketClient client = vertx.createWebSocketClient(
                new WebSocketClientOptions().setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
        WebSocketConnectOptions o =
                new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
        headers.forEach(o::addHeader);
        return new RawWs(client, o);
    }

    /** The upgrade's failure, for a connection that must be refused. */
    public static Throwable connectFailure(Vertx vertx, int port, String uri, Map<String, String> headers) {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions o =
                new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
        headers.forEach(o::addHeader);
        try {
            WebSocket ws =
                    client.connect(o).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.close();
            return null;
        } catch (Exception e) {
            return e.getCause() != null ? e.getCause() : e;
        } finally {
            client.close();
        }
    }

    public void send(String text) {
        ws.writeTextMessage(text).toCompletionStage().toCompletableFuture().join();
    }

    /** Sends without waiting: the server may close the connection while the frame is still being written. */
    public void sendNoWait(String text) {
        ws.writeTextMessage(text);
    }

    public void sendJson(JsonObject o) {
        send(o.encode());
    }

    /** The next frame, failing after 10 s. */
    public JsonObject next() {
        try {
            JsonObject f = frames.poll(10, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame within 10 s");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame of this type, skipping others. */
    public JsonObject next(String type) {
        while (true) {
            JsonObject f = next();
            if (type.equals(f.getString("type"))) {
                return f;
            }
        }
    }

    /** The close code, failing after 10 s. */
    public int closeCode() {
        try {
            return closed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection not closed within 10 s", e);
        }
    }

    public String closeReason() {
        return closeReason;
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            ws.close();
        }
        client.close();
    }
}
