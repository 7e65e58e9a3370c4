package io.parley.server.clamd;

import io.parley.server.scan.Scanner;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * ClamAV's clamd over its socket, with the INSTREAM command: {@code zINSTREAM\0}, then chunks (a 4-byte big-endian
 * length and the bytes), then a zero length; clamd answers {@code stream: OK}, {@code stream: <signature> FOUND} or
 * {@code ... ERROR} (e.g. the stream is over clamd's StreamMaxLength). Anything but OK or FOUND, a refused connection
 * or no answer within the timeout is an {@link IOException}: the caller keeps the file in quarantine.
 *
 * <p>Address: {@code unix:/run/clamav/clamd.ctl} or {@code tcp://host:port}.
 */
public final class ClamdScanner implements Scanner, AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final SocketAddress address;
    private final Duration timeout;
    /** Closes a connection whose scan takes longer than the timeout (blocking channels have no read timeout). */
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-clamd-timeout");
        t.setDaemon(true);
        return t;
    });

    public ClamdScanner(String address, Duration timeout) {
        this.address = parse(address);
        this.timeout = timeout;
    }

    static SocketAddress parse(String address) {
        if (address.startsWith("unix:")) {
            return UnixDomainSocketAddress.of(address.substring("unix:".length()));
        }
        if (address.startsWith("tcp://")) {
            String hp = address.substring("tcp://".length());
            int i = hp.lastIndexOf(':');
            if (i <= 0) {
                throw new IllegalArgumentException("a clamd tcp address needs host:port: " + address);
            }
            return new InetSocketAddress(hp.substring(0, i), Integer.parseInt(hp.substring(i + 1)));
        }
        throw new IllegalArgumentException("a clamd address is unix:/path or tcp://host:port, not " + address);
    }

    @Override
    public String name() {
        return "clamd";
    }

    @Override
    public Verdict scan(InputStream in) throws IOException {
        try (SocketChannel ch = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open()) {
            ScheduledFuture<?> kill = watchdog.schedule(
                    () -> {
                        try {
                            ch.close();
                        } catch (IOException e) {
                            // Closing to interrupt the scan; the scan reports the failure.
                        }
                    },
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                ch.connect(address);
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[CHUNK];
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    out.writeInt(n);
                    out.write(buf, 0, n);
                }
                out.writeInt(0);
                out.flush();
                return verdict(readReply(ch));
            } finally {
                kill.cancel(false);
            }
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new IOException("clamd did not answer within " + timeout, e);
        }
    }

    /** Sends {@code zPING\0}; true when clamd answers PONG. */
    public boolean ping() {
        try (SocketChannel ch = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open()) {
            ch.connect(address);
            ch.write(ByteBuffer.wrap("zPING\0".getBytes(StandardCharsets.US_ASCII)));
            return "PONG".equals(readReply(ch));
        } catch (IOException e) {
            return false;
        }
    }

    private static String readReply(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (b.hasRemaining()) {
            int n = ch.read(b);
            if (n < 0) {
                break;
            }
            if (b.position() > 0 && b.get(b.position() - 1) == 0) {
                break;
            }
        }
        b.flip();
        String s = StandardCharsets.UTF_8.decode(b).toString();
        int end = s.indexOf('\0');
        return (end >= 0 ? s.substring(0, end) : s).trim();
    }

    static Verdict verdict(String reply) throws IOException {
        if (reply.endsWith(": OK")) {
            return Verdict.clean();
        }
        if (reply.endsWith(" FOUND")) {
            String r = reply.substring(0, reply.length() - " FOUND".length());
            int i = r.indexOf(": ");
            return Verdict.infected(i >= 0 ? r.substring(i + 2) : r);
        }
        throw new IOException("clamd answered: " + (reply.isEmpty() ? "(nothing)" : reply));
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
