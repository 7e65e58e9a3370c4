package io.parley.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket peer written on a bare TCP socket, for what a well-behaved client library will not do: stay silent
 * to pings, or announce a frame far larger than the server accepts.
 */
final class RawSocket implements AutoCloseable {
    /** rsv: the frame's RSV1-3 bits (RSV1 set means a compressed frame). */
    record Frame(int opcode, byte[] payload, int rsv) {
        int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String handshake;

    RawSocket(int port, String uri) throws IOException {
        this(port, uri, 0);
    }

    /** With a receive buffer of {@code receiveBuffer} bytes (0: the system's default), set before connecting. */
    RawSocket(int port, String uri, int receiveBuffer) throws IOException {
        this(port, uri, receiveBuffer, "");
    }

    /** extraHeaders: header lines (each ending in CRLF) added to the upgrade request. */
    RawSocket(int port, String uri, int receiveBuffer, String extraHeaders) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(10_000);
        out = new java.io.BufferedOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                        + extraHeaders + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("eof in handshake: " + sb);
            }
            sb.append((char) c);
        }
        if (!sb.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + sb);
        }
        handshake = sb.toString();
    }

    /** The server's 101 response: status line and headers. */
    String handshake() {
        return handshake;
    }

    Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload, (b0 >> 4) & 0x07);
    }

    /** Reads until a close frame and returns it. */
    Frame readUntilClose() throws IOException {
        while (true) {
            Frame f = read();
            if (f.opcode() == 0x8) {
                return f;
            }
        }
    }

    /** Writes the header of a masked text frame announcing {@code length} bytes, and the first {@code sent} of them. */
    void announceTextFrame(long length, int sent) throws IOException {
        out.write(0x81);
        out.write(0x80 | 127);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (length >>> (i * 8)) & 0xff);
        }
        out.write(new byte[] {1, 2, 3, 4});
        out.write(new byte[sent]);
        out.flush();
    }

    /** Sends one masked text frame (under 64 KiB). */
    void sendText(String text) throws IOException {
        sendFrame(true, 0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one masked frame (payload under 64 KiB) with the given FIN bit and opcode, without flushing. */
    void writeFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        byte[] mask = {7, 1, 3, 9};
        out.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        }
        out.write(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(masked);
    }

    /** Sends one masked frame (payload under 64 KiB). */
    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        writeFrame(fin, opcode, payload);
        out.flush();
    }

    void flush() throws IOException {
        out.flush();
    }

    /** True if the server closed the TCP connection (end of stream) within the read timeout, after any frames. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                read();
            }
        } catch (java.io.EOFException e) {
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
