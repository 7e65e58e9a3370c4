package io.parley.server.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.parley.protocol.CloseCodes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One upgraded WebSocket, served by Parley directly on its Netty channel: the last handler of the pipeline after
 * Netty's frame decoder and encoder, and the {@link Transport} of its {@link Session}. Vert.x's own WebSocket would
 * keep the upgrade request, its response, the HTTP connection and a WebSocket connection object (with their headers,
 * queues and promises) for the connection's life, about 2 KiB per connection; this handler is the only per-connection
 * object besides the Session and Netty's channel.
 *
 * <p>It reassembles fragmented messages (up to the frame limit), checks that text is UTF-8, answers pings, runs the
 * close handshake, pauses reading for back-pressure (frames already decoded wait in order), and reports writability.
 * Everything runs on the channel's event loop, which is also the session's.
 */
final class WsConnection extends ChannelInboundHandlerAdapter implements Transport {
    static final String NAME = "parley-ws";
    /** How long a close frame we sent waits for the peer's before the TCP connection is closed anyway. */
    static final long CLOSE_WAIT_MILLIS = 5_000;

    private final Channel channel;
    private final int maxMessageBytes;
    private Inbound session;
    /** A fragmented message being reassembled (null when none); {@link #fragmentsText} tells its type. */
    private CompositeByteBuf fragments;

    private boolean fragmentsText;
    /** Frames decoded while reading is paused, delivered in order on resume; null while none wait. */
    private ArrayDeque<WebSocketFrame> held;

    private boolean paused;
    private boolean closeSent;
    private boolean inactive;
    private Runnable drained;

    /**
     * {@code outbound}: above its high mark of unflushed output {@link #writeQueueFull} is true, below its low mark
     * again the drained callback runs (one instance shared by every connection: it is immutable).
     */
    WsConnection(Channel channel, int maxMessageBytes, WriteBufferWaterMark outbound) {
        this.channel = channel;
        this.maxMessageBytes = maxMessageBytes;
        channel.config().setWriteBufferWaterMark(outbound);
    }

    /** The session that receives this connection's messages; set once, before the first frame can be read. */
    void attach(Inbound s) {
        this.session = s;
    }

    // ---- inbound -----------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!closeSent && (paused || held != null)) {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(frame);
            return;
        }
        try {
            handle(frame);
        } finally {
            frame.release();
        }
    }

    private void handle(WebSocketFrame frame) {
        if (closeSent || inactive) {
            if (frame instanceof CloseWebSocketFrame) {
                channel.close();
            }
            return;
        }
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            if (fragments != null) {
                protocolError(CloseCodes.PROTOCOL_ERROR, "new message before the last one ended");
                return;
            }
            if (frame.isFinalFragment()) {
                deliver(frame instanceof TextWebSocketFrame, frame.content());
            } else {
                fragmentsText = frame instanceof TextWebSocketFrame;
                fragments = channel.alloc().compositeBuffer();
                append(frame.content());
            }
        } else if (frame instanceof ContinuationWebSocketFrame) {
            if (fragments == null) {
                protocolError(CloseCodes.PROTOCOL_ERROR, "continuation without a message");
                return;
            }
            if (!append(frame.content())) {
                return;
            }
            if (frame.isFinalFragment()) {
                CompositeByteBuf whole = fragments;
                fragments = null;
                try {
                    deliver(fragmentsText, whole);
                } finally {
                    whole.release();
                }
            }
        } else if (frame instanceof PingWebSocketFrame) {
            session.onPong();
            channel.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), channel.voidPromise());
        } else if (frame instanceof PongWebSocketFrame) {
            session.onPong();
        } else if (frame instanceof CloseWebSocketFrame close) {
            // The peer started the close handshake: answer with its code (none if it gave none), then end the TCP
            // connection, which is the server's to close.
            closeSent = true;
            int code = close.statusCode();
            CloseWebSocketFrame reply = code < 0
                    ? new CloseWebSocketFrame()
                    : new CloseWebSocketFrame(WebSocketCloseStatus.isValidStatusCode(code) ? code : 1000, null);
            channel.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Adds a fragment; false (and the connection is closing with 1009) if the message grew past the limit. */
    private boolean append(ByteBuf part) {
        if (fragments.readableBytes() + part.readableBytes() > maxMessageBytes) {
            fragments.release();
            fragments = null;
            protocolError(CloseCodes.TOO_BIG, "message too big");
            return false;
        }
        fragments.addComponent(true, part.retain());
        return true;
    }

    private void deliver(boolean text, ByteBuf content) {
        if (!text) {
            session.onBinary();
            return;
        }
        if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
            protocolError(CloseCodes.INVALID_DATA, "text is not valid UTF-8");
            return;
        }
        session.onText(content.toString(StandardCharsets.UTF_8));
    }

    private void protocolError(int code, String reason) {
        close(code, reason);
        session.onClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c && !closeSent && !inactive) {
            // Netty's decoder rejected a frame (too large: 1009; malformed: 1002): say why before closing.
            int code = c.closeStatus().code();
            protocolError(code, code == 1009 ? "frame too big" : "protocol error");
            return;
        }
        GatewayLog.LOG.debug("websocket error: {}", cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
        releaseHeld();
        if (session != null) {
            session.onClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && drained != null) {
            Runnable r = drained;
            drained = null;
            r.run();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void releaseHeld() {
        if (held != null) {
            for (WebSocketFrame f : held) {
                f.release();
            }
            held = null;
        }
    }

    // ---- Transport ---------------------------------------------------------------------------------------------

    private boolean open() {
        return !closeSent && !inactive && channel.isActive();
    }

    @Override
    public void send(byte[] utf8) {
        if (open()) {
            channel.writeAndFlush(frame(utf8), channel.voidPromise());
        }
    }

    @Override
    public void sendAll(List<byte[]> utf8Frames) {
        if (!open()) {
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

    /** False once the connection is closing or closed: nothing more is queued then. */
    @Override
    public boolean writeQueueFull() {
        return open() && !channel.isWritable();
    }

    @Override
    public void whenDrained(Runnable r) {
        if (!writeQueueFull()) {
            r.run();
        } else {
            drained = r;
        }
    }

    @Override
    public void ping() {
        if (open()) {
            channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
        }
    }

    @Override
    public void pauseReading() {
        paused = true;
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        paused = false;
        if (held == null) {
            if (!inactive) {
                channel.config().setAutoRead(true);
            }
            return;
        }
        // Frames decoded before the pause go first, in order, in a task of their own: the caller finishes what it was
        // doing (Session sets its state after resuming) before the next frame is handled.
        channel.eventLoop().execute(this::deliverHeld);
    }

    private void deliverHeld() {
        while (held != null && !paused) {
            WebSocketFrame f = held.poll();
            if (f == null) {
                held = null;
                break;
            }
            try {
                handle(f);
            } finally {
                f.release();
            }
        }
        if (!paused && !inactive) {
            channel.config().setAutoRead(true);
        }
    }

    /** Sends a close frame, then closes the TCP connection when the peer answers or after {@link #CLOSE_WAIT_MILLIS}. */
    @Override
    public void close(int code, String reason) {
        if (closeSent || inactive) {
            return;
        }
        closeSent = true;
        releaseHeld();
        channel.config().setAutoRead(true);
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            } else {
                channel.eventLoop()
                        .schedule(
                                () -> {
                                    channel.close();
                                },
                                CLOSE_WAIT_MILLIS,
                                TimeUnit.MILLISECONDS);
            }
        });
    }
}
