package io.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.parley.protocol.CloseCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WsConnection} on Netty's {@link EmbeddedChannel}: no socket, no thread; the test's thread is the event loop,
 * and the channel's own clock (frozen, moved with {@code advanceTimeBy}) times the close handshake's wait. Bytes a
 * client would send go through Netty's frame decoder configured as {@link WsGateway} configures it; frames the
 * connection writes are read back as frames (no encoder). Some cases hand frames to the connection directly, past the
 * decoder, to reach its own checks. The socket-level {@code WsConnectionTest} stays as the end-to-end layer.
 */
class WsConnectionChannelTest {
    private static final int MAX = 64;
    private static final int FIN = 0x80;
    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    /** What the connection hands its session. */
    private static final class Recorded implements Inbound {
        final List<String> texts = new ArrayList<>();
        int binaries;
        int pongs;
        int closed;

        @Override
        public void onText(String text) {
            texts.add(text);
        }

        @Override
        public void onBinary() {
            binaries++;
        }

        @Override
        public void onPong() {
            pongs++;
        }

        @Override
        public void onClosed() {
            closed++;
        }
    }

    private final Recorded session = new Recorded();
    private EmbeddedChannel channel;
    private WsConnection conn;

    @BeforeEach
    void connect() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        conn = new WsConnection(channel, MAX, new WriteBufferWaterMark(MAX / 2, MAX));
        conn.attach(session);
        channel.pipeline().addLast(new WebSocket13FrameDecoder(WsGateway.decoderConfig(MAX)), conn);
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** A client's frame on the wire: masked, as RFC 6455 requires of clients. */
    private static ByteBuf wire(int firstByte, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(firstByte);
        if (payload.length < 126) {
            b.writeByte(0x80 | payload.length);
        } else {
            b.writeByte(0x80 | 126);
            b.writeShort(payload.length);
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        b.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            b.writeByte(payload[i] ^ mask[i % 4]);
        }
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes from the peer, in one read. */
    private void receive(ByteBuf... frames) {
        channel.writeInbound(Unpooled.wrappedBuffer(frames));
    }

    /** The frames the connection wrote, in order. */
    private List<WebSocketFrame> written() {
        List<WebSocketFrame> out = new ArrayList<>();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            out.add((WebSocketFrame) o);
        }
        return out;
    }

    /** The one close frame written (checked and released): {code, reason}. */
    private List<Object> closeSent() {
        List<WebSocketFrame> frames = written();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).isInstanceOf(CloseWebSocketFrame.class);
        CloseWebSocketFrame c = (CloseWebSocketFrame) frames.get(0);
        try {
            return List.of(c.statusCode(), c.reasonText());
        } finally {
            c.release();
        }
    }

    private void assertClosedWith(int code) {
        assertThat(closeSent().get(0)).isEqualTo(code);
        assertThat(session.closed).as("the session learns it at once").isPositive();
        assertThat(session.texts).isEmpty();
    }

    // ---- messages ---------------------------------------------------------------------------------------------

    @Test
    void textFrame_isDeliveredAsOneMessage() {
        receive(wire(FIN | TEXT, utf8("{\"type\":\"ping\"}")));

        assertThat(session.texts).containsExactly("{\"type\":\"ping\"}");
        assertThat(written()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void fragmentedText_isReassembledIntoOneMessage_evenWithACharacterSplitAcrossFragments() {
        byte[] tail = utf8("lo, wörld");
        int split = utf8("lo, w").length + 1; // inside the two bytes of 'ö'
        receive(wire(TEXT, utf8("Hel")), wire(CONTINUATION, Arrays.copyOfRange(tail, 0, split)));
        assertThat(session.texts).as("nothing before the last fragment").isEmpty();

        receive(wire(FIN | CONTINUATION, Arrays.copyOfRange(tail, split, tail.length)));

        assertThat(session.texts).containsExactly("Hello, wörld");
        assertThat(written()).isEmpty();
    }

    @Test
    void pingBetweenFragments_isAnswered_andTheMessageStillArrivesWhole() {
        receive(wire(TEXT, utf8("a")), wire(FIN | PING, utf8("p")), wire(FIN | CONTINUATION, utf8("b")));

        assertThat(session.texts).containsExactly("ab");
        List<WebSocketFrame> out = written();
        assertThat(out).hasSize(1).first().isInstanceOf(PongWebSocketFrame.class);
        out.forEach(WebSocketFrame::release);
    }

    @Test
    void binaryMessage_fragmentedOrNot_reachesTheSessionOnceEach() {
        receive(wire(FIN | BINARY, new byte[] {1, 2}));
        receive(wire(BINARY, new byte[] {3}), wire(FIN | CONTINUATION, new byte[] {4}));

        assertThat(session.binaries)
                .as("the session answers bad_json; the connection stays")
                .isEqualTo(2);
        assertThat(session.texts).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void fragmentedMessage_growingPastTheLimit_closesWith1009() {
        receive(wire(TEXT, new byte[MAX / 2]), wire(CONTINUATION, new byte[MAX / 2]));
        assertThat(written()).as("exactly at the limit").isEmpty();

        receive(wire(FIN | CONTINUATION, new byte[] {'x'}));

        List<Object> close = closeSent();
        assertThat(close).containsExactly(CloseCodes.TOO_BIG, "message too big");
        assertThat(session.closed).isPositive();
        assertThat(session.texts).isEmpty();
    }

    @Test
    void singleFrame_overTheLimit_closesWith1009() {
        receive(wire(FIN | TEXT, new byte[MAX + 1]));

        assertThat(closeSent()).containsExactly(1009, "frame too big");
        assertThat(session.closed).isPositive();
    }

    @Test
    void invalidUtf8_onTheWire_closesWith1007() {
        receive(wire(FIN | TEXT, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28}));

        assertClosedWith(CloseCodes.INVALID_DATA);
    }

    @Test
    void invalidUtf8_inAReassembledMessage_closesWith1007() {
        // Past the decoder: the connection checks the whole message itself.
        channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[] {'a', (byte) 0xE2})));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0x28})));

        List<Object> close = closeSent();
        assertThat(close).containsExactly(CloseCodes.INVALID_DATA, "text is not valid UTF-8");
        assertThat(session.texts).isEmpty();
    }

    // ---- protocol errors: 1002 --------------------------------------------------------------------------------

    @Test
    void continuationWithoutAMessage_closesWith1002() {
        receive(wire(FIN | CONTINUATION, utf8("orphan")));
        assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void continuationWithoutAMessage_pastTheDecoder_closesWith1002() {
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(utf8("orphan"))));

        assertThat(closeSent()).containsExactly(CloseCodes.PROTOCOL_ERROR, "continuation without a message");
    }

    @Test
    void newMessageBeforeTheLastEnded_closesWith1002() {
        receive(wire(TEXT, utf8("first")), wire(FIN | TEXT, utf8("second")));
        assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void newMessageBeforeTheLastEnded_pastTheDecoder_closesWith1002() {
        channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(utf8("first"))));
        channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1})));

        assertThat(closeSent()).containsExactly(CloseCodes.PROTOCOL_ERROR, "new message before the last one ended");
        assertThat(session.binaries).isZero();
    }

    @Test
    void fragmentedControlFrame_closesWith1002() {
        receive(wire(PING, utf8("half a ping")));
        assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void controlFrameOver125Bytes_closesWith1002() {
        receive(wire(FIN | PING, new byte[126]));
        assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void unmaskedFrame_closesWith1002() {
        ByteBuf unmasked = Unpooled.buffer();
        unmasked.writeByte(FIN | TEXT).writeByte(2).writeBytes(utf8("hi"));
        channel.writeInbound(unmasked);
        assertClosedWith(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void reservedBitsOrOpcode_closeWith1002() {
        receive(wire(FIN | 0x40 | TEXT, utf8("compressed?"))); // RSV1: no extension was negotiated
        assertClosedWith(CloseCodes.PROTOCOL_ERROR);

        Recorded other = new Recorded();
        EmbeddedChannel second = new EmbeddedChannel();
        WsConnection c = new WsConnection(second, MAX, new WriteBufferWaterMark(MAX / 2, MAX));
        c.attach(other);
        second.pipeline().addLast(new WebSocket13FrameDecoder(WsGateway.decoderConfig(MAX)), c);
        second.writeInbound(wire(FIN | 0x3, utf8("?"))); // opcode 3 is reserved
        CloseWebSocketFrame close = second.readOutbound();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        close.release();
        assertThat(other.closed).isPositive();
        second.finishAndReleaseAll();
    }

    // ---- liveness ---------------------------------------------------------------------------------------------

    @Test
    void ping_isAnsweredWithAPongOfTheSamePayload_andCountsAsLife() {
        receive(wire(FIN | PING, utf8("are you there")));

        List<WebSocketFrame> out = written();
        assertThat(out).hasSize(1).first().isInstanceOf(PongWebSocketFrame.class);
        assertThat(out.get(0).content().toString(StandardCharsets.UTF_8)).isEqualTo("are you there");
        out.get(0).release();
        assertThat(session.pongs).isEqualTo(1);
    }

    @Test
    void pong_countsAsLife_andIsNotAnswered() {
        receive(wire(FIN | PONG, utf8("")));

        assertThat(session.pongs).isEqualTo(1);
        assertThat(written()).isEmpty();
    }

    @Test
    void serverPing_goesOutAsAPingFrame() {
        conn.ping();

        List<WebSocketFrame> out = written();
        assertThat(out).hasSize(1).first().isInstanceOf(PingWebSocketFrame.class);
        out.forEach(WebSocketFrame::release);
    }

    // ---- the close handshake ----------------------------------------------------------------------------------

    @Test
    void peerClose_isEchoedWithItsCode_andTheServerEndsTheConnection() {
        ByteBuf body = Unpooled.buffer().writeShort(1000).writeBytes(utf8("bye"));
        byte[] payload = new byte[body.readableBytes()];
        body.readBytes(payload);
        receive(wire(FIN | CLOSE, payload));

        assertThat(closeSent()).containsExactly(1000, "");
        assertThat(channel.isOpen()).as("closed once the echo is written").isFalse();
        assertThat(session.closed).isPositive();
    }

    @Test
    void peerCloseWithoutACode_isEchoedWithoutOne() {
        receive(wire(FIN | CLOSE, new byte[0]));

        assertThat(closeSent().get(0)).isEqualTo(-1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void peerCloseWithACodeNotForTheWire_isAnsweredWith1000() {
        // Past the decoder (which refuses such a frame itself): 1005 must never be sent.
        channel.writeInbound(new CloseWebSocketFrame(true, 0, Unpooled.buffer().writeShort(1005)));

        assertThat(closeSent().get(0)).isEqualTo(1000);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void serverClose_sendsACloseFrame_ignoresDataAfterIt_andEndsTheConnectionOnThePeersReply() {
        conn.close(CloseCodes.RESYNC, "slow consumer");
        assertThat(closeSent()).containsExactly(CloseCodes.RESYNC, "slow consumer");
        assertThat(channel.isOpen()).as("waits for the peer's close").isTrue();

        conn.send(utf8("{\"late\":true}"));
        receive(wire(FIN | TEXT, utf8("in flight")));
        assertThat(written()).as("nothing more goes out").isEmpty();
        assertThat(session.texts).as("nor comes in").isEmpty();
        assertThat(conn.writeQueueFull()).isFalse();

        receive(wire(FIN | CLOSE, new byte[] {0x0F, (byte) 0xA8}));
        assertThat(channel.isOpen()).isFalse();
        assertThat(written()).as("the reply is not answered").isEmpty();
        assertThat(session.closed).isPositive();
    }

    @Test
    void serverClose_withoutAReply_endsTheConnectionWhenTheWaitRunsOut() {
        conn.close(CloseCodes.GOING_AWAY, "server shutting down");
        closeSent();

        channel.advanceTimeBy(WsConnection.CLOSE_WAIT_MILLIS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(session.closed).isPositive();
    }

    @Test
    void serverClose_isIdempotent() {
        conn.close(CloseCodes.GOING_AWAY, "first");
        conn.close(CloseCodes.RESYNC, "second");

        assertThat(closeSent()).containsExactly(CloseCodes.GOING_AWAY, "first");
    }

    @Test
    void tcpEnd_tellsTheSessionOnce_andDropsAPartialMessage() {
        TextWebSocketFrame partial = new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(utf8("half")));
        channel.writeInbound(partial.retain());
        channel.close();

        assertThat(session.closed).isEqualTo(1);
        assertThat(partial.refCnt())
                .as("the fragment kept for reassembly is released")
                .isEqualTo(1);
        partial.release();
        conn.send(utf8("{}"));
        assertThat(written()).isEmpty();
    }

    // ---- output, backpressure ---------------------------------------------------------------------------------

    @Test
    void send_andSendAll_writeTextFramesInOrder() {
        conn.send(utf8("one"));
        conn.sendAll(List.of(utf8("two"), utf8("three")));

        List<WebSocketFrame> out = written();
        assertThat(out).allMatch(TextWebSocketFrame.class::isInstance);
        assertThat(out).extracting(f -> ((TextWebSocketFrame) f).text()).containsExactly("one", "two", "three");
        out.forEach(WebSocketFrame::release);
    }

    @Test
    void outboundAboveTheHighMark_isFull_andWhenDrainedRunsOnceBelowTheLowMark() {
        // Written but not flushed: the socket has not taken it yet.
        channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[MAX + 1])));
        assertThat(conn.writeQueueFull()).isTrue();
        int[] drained = {0};
        conn.whenDrained(() -> drained[0]++);
        assertThat(drained[0]).isZero();

        channel.flush();
        channel.runPendingTasks();

        assertThat(conn.writeQueueFull()).isFalse();
        assertThat(drained[0]).isEqualTo(1);
        conn.whenDrained(() -> drained[0]++);
        assertThat(drained[0]).as("not full: runs at once").isEqualTo(2);
    }

    @Test
    void pausedReading_holdsFrames_andResumeDeliversThemInOrderInATaskOfTheirOwn() {
        conn.pauseReading();
        assertThat(channel.config().isAutoRead()).isFalse();
        receive(wire(FIN | TEXT, utf8("1")), wire(FIN | TEXT, utf8("2")));
        assertThat(session.texts).isEmpty();

        conn.resumeReading();
        assertThat(session.texts).as("not inside resumeReading's caller").isEmpty();
        channel.runPendingTasks();

        assertThat(session.texts).containsExactly("1", "2");
        assertThat(channel.config().isAutoRead()).isTrue();
        receive(wire(FIN | TEXT, utf8("3")));
        assertThat(session.texts).containsExactly("1", "2", "3");
    }

    @Test
    void pausedAgainWhileDeliveringHeldFrames_keepsTheRestForTheNextResume() {
        Inbound pausing = new Inbound() {
            @Override
            public void onText(String text) {
                session.onText(text);
                conn.pauseReading();
            }

            @Override
            public void onBinary() {}

            @Override
            public void onPong() {}

            @Override
            public void onClosed() {
                session.onClosed();
            }
        };
        conn.attach(pausing);
        conn.pauseReading();
        receive(wire(FIN | TEXT, utf8("1")), wire(FIN | TEXT, utf8("2")));

        conn.resumeReading();
        channel.runPendingTasks();
        assertThat(session.texts).containsExactly("1");
        assertThat(channel.config().isAutoRead()).isFalse();

        conn.resumeReading();
        channel.runPendingTasks();
        assertThat(session.texts).containsExactly("1", "2");
    }

    @Test
    void serverCloseWhilePaused_releasesTheHeldFrames_andReadsThePeersReply() {
        conn.pauseReading();
        TextWebSocketFrame held = new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8("held")));
        channel.writeInbound(held.retain());

        conn.close(CloseCodes.GOING_AWAY, "bye");
        closeSent();

        assertThat(held.refCnt()).as("released by the connection").isEqualTo(1);
        held.release();
        assertThat(channel.config().isAutoRead())
                .as("reads again, for the peer's close")
                .isTrue();
        receive(wire(FIN | CLOSE, new byte[] {0x03, (byte) 0xE9}));
        assertThat(channel.isOpen()).isFalse();
        assertThat(session.texts).isEmpty();
    }

    // ---- the rest of the pipeline -----------------------------------------------------------------------------

    @Test
    void somethingOtherThanAFrame_isPassedOn() {
        channel.writeInbound("not a frame");

        Object inbound = channel.readInbound();
        assertThat(inbound).isEqualTo("not a frame");
    }

    @Test
    void anyOtherError_closesTheConnection() {
        channel.pipeline().fireExceptionCaught(new IOException("connection reset by peer"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(session.closed).isEqualTo(1);
        assertThat(written()).as("no close frame on a broken connection").isEmpty();
    }
}
