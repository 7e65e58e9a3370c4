package io.parley.server.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/** {@link Transport} over a Vert.x server WebSocket. */
final class WsTransport implements Transport {
    private static final Buffer EMPTY = Buffer.buffer();
    private final ServerWebSocket ws;
    private boolean closed;

    WsTransport(ServerWebSocket ws) {
        this.ws = ws;
    }

    @Override
    public void send(String text) {
        if (!closed && !ws.isClosed()) {
            ws.writeTextMessage(text);
        }
    }

    /** False once the socket is closed (its close handler may not have run yet): nothing more is queued then. */
    @Override
    public boolean writeQueueFull() {
        return !closed && !ws.isClosed() && ws.writeQueueFull();
    }

    @Override
    public void whenDrained(Runnable r) {
        if (closed || ws.isClosed() || !ws.writeQueueFull()) {
            r.run();
        } else {
            ws.drainHandler(v -> {
                ws.drainHandler(null);
                r.run();
            });
        }
    }

    @Override
    public void ping() {
        if (!closed && !ws.isClosed()) {
            ws.writePing(EMPTY);
        }
    }

    @Override
    public void pauseReading() {
        ws.pause();
    }

    @Override
    public void resumeReading() {
        ws.resume();
    }

    @Override
    public void close(int code, String reason) {
        if (!closed) {
            closed = true;
            ws.close((short) code, reason);
        }
    }
}
