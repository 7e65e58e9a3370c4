package io.parley.server.gateway;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.channel.Channel;

/**
 * Vert.x drops the TCP connection without a close frame when the WebSocket decoder rejects a frame (too large,
 * malformed), so the client would only see 1006. This handler, placed before Vert.x's own, answers such a frame
 * with the proper close code (1009 for a frame over maxFrameBytes, 1002 for a protocol error) and then closes.
 * It also tells {@link WsTransport} when a full outbound queue has drained (one handler per connection for both).
 * It touches Vert.x internals (the connection's Netty pipeline); if those are not there it does nothing, and the
 * connection is still closed by Vert.x, just without the code.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {
    static final String NAME = "parley-frame-guard";

    /** Installs the guard on an upgraded connection's channel (from {@link NettyAccess#channel}; null: nothing). */
    static void install(Channel channel) {
        if (channel != null && channel.pipeline().get("handler") != null && channel.pipeline().get(NAME) == null) {
            channel.pipeline().addBefore("handler", NAME, new FrameGuard());
        }
    }

    /** Run once the channel is writable again (see {@link WsTransport#whenDrained}); only on the channel's loop. */
    private Runnable drained;

    void whenWritable(Runnable r) {
        drained = r;
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c) {
            String reason = c.closeStatus().code() == 1009 ? "frame too big" : "protocol error";
            ctx.writeAndFlush(new CloseWebSocketFrame(c.closeStatus().code(), reason))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
