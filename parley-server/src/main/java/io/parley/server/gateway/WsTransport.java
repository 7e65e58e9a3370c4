package io.parley.server.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.nio.charset.StandardCharsets;

/**
 * {@link Transport} over a Vert.x server WebSocket. Text frames go straight into the connection's Netty channel,
 * wrapping the shared encoded bytes (no copy, no re-encoding per recipient); inside a {@link Flusher} batch they are
 * flushed once at its end. Without access to the channel (see {@link NettyAccess}) it falls back to Vert.x's own writes.
 * Pings and the close handshake always go through Vert.x.
 */
final class WsTransport implements Transport {
    private static final Buffer EMPTY = Buffer.buffer();

    private final ServerWebSocket ws;
    private final Channel channel;
    private final Flusher flusher;
    private final FrameGuard guard;
    private boolean closed;
    private boolean flushPending;

    /**
     * {@code channel} is the connection's Netty channel (with {@link FrameGuard} installed), or null to write through
     * Vert.x.
     */
    WsTransport(ServerWebSocket ws, Channel channel) {
        this.ws = ws;
        FrameGuard g = channel == null ? null : (FrameGuard) channel.pipeline().get(FrameGuard.NAME);
        if (g != null && channel.eventLoop().inEventLoop()) {
            this.channel = channel;
            this.guard = g;
            this.flusher = Flusher.current();
        } else {
            this.channel = null;
            this.guard = null;
            this.flusher = null;
        }
    }

    private boolean open() {
        return !closed && !ws.isClosed();
    }

    @Override
    public void send(byte[] utf8) {
        if (!open()) {
            return;
        }
        if (channel == null) {
            ws.writeTextMessage(new String(utf8, StandardCharsets.UTF_8));
            return;
        }
        TextWebSocketFrame frame = new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8));
        if (!flusher.batching()) {
            channel.writeAndFlush(frame, channel.voidPromise());
        } else {
            channel.write(frame, channel.voidPromise());
            if (!flushPending) {
                flushPending = true;
                flusher.mark(this);
            }
        }
    }

    /** By the {@link Flusher}, at the end of the batch in which this transport wrote. */
    void flushNow() {
        if (flushPending) {
            flushPending = false;
            channel.flush();
        }
    }

    /**
     * False once the socket is closed (its close handler may not have run yet): nothing more is queued then. Frames
     * waiting for this turn's flush count toward the limit, so when it is reached they are flushed first: the queue is
     * full only if the socket cannot take them.
     */
    @Override
    public boolean writeQueueFull() {
        if (!open()) {
            return false;
        }
        if (channel == null) {
            return ws.writeQueueFull();
        }
        if (!channel.isWritable() && flushPending) {
            flushNow();
        }
        return !channel.isWritable();
    }

    @Override
    public void whenDrained(Runnable r) {
        if (!open() || !writeQueueFull()) {
            r.run();
        } else if (channel != null) {
            guard.whenWritable(r);
            if (flushPending) {
                flushNow();
            }
        } else {
            ws.drainHandler(v -> {
                ws.drainHandler(null);
                r.run();
            });
        }
    }

    @Override
    public void ping() {
        if (open()) {
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
