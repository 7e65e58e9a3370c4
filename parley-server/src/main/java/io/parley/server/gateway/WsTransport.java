package io.parley.server.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@link Transport} over a Vert.x server WebSocket. Text frames go straight into the connection's Netty channel,
 * wrapping the shared encoded bytes (no copy, no re-encoding per recipient); a page of replayed events is flushed
 * once. Without access to the channel (see {@link NettyAccess}) it falls back to Vert.x's own writes.
 * Pings and the close handshake always go through Vert.x.
 */
final class WsTransport implements Transport {
    private static final Buffer EMPTY = Buffer.buffer();

    private final ServerWebSocket ws;
    private final Channel channel;
    private final FrameGuard guard;
    private boolean closed;

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
        } else {
            this.channel = null;
            this.guard = null;
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
        } else {
            channel.writeAndFlush(frame(utf8), channel.voidPromise());
        }
    }

    @Override
    public void sendAll(List<byte[]> utf8Frames) {
        if (!open()) {
            return;
        }
        if (channel == null) {
            utf8Frames.forEach(f -> ws.writeTextMessage(new String(f, StandardCharsets.UTF_8)));
            return;
        }
        for (byte[] f : utf8Frames) {
            channel.write(frame(f), channel.voidPromise());
        }
        channel.flush();
    }

    /** A text frame over the shared bytes: no copy. */
    private static TextWebSocketFrame frame(byte[] utf8) {
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8));
    }

    /** False once the socket is closed (its close handler may not have run yet): nothing more is queued then. */
    @Override
    public boolean writeQueueFull() {
        if (!open()) {
            return false;
        }
        return channel == null ? ws.writeQueueFull() : !channel.isWritable();
    }

    @Override
    public void whenDrained(Runnable r) {
        if (!open() || !writeQueueFull()) {
            r.run();
        } else if (channel != null) {
            guard.whenWritable(r);
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
