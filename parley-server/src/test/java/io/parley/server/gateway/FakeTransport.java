package io.parley.server.gateway;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Transport} without a socket, for session tests: it keeps every frame sent (decoded), the close, whether
 * reading is paused, and lets the test play a slow peer ({@link #fill}: the outbound queue is full until
 * {@link #drain}). Called on the session's loop only, like the real one, so it needs no locking.
 */
final class FakeTransport implements Transport {
    private static final FrameCodec CODEC = new FrameCodec();

    private final List<ServerFrame> frames = new ArrayList<>();
    private final List<Runnable> drainWaiters = new ArrayList<>();
    private boolean full;
    private boolean paused;
    private int pings;
    private Integer closeCode;
    private String closeReason;
    /** How many frames had been sent when the transport closed. */
    private int framesBeforeClose = -1;

    @Override
    public void send(byte[] utf8) {
        if (closeCode == null) {
            frames.add(CODEC.decodeServer(new String(utf8, StandardCharsets.UTF_8)));
        }
    }

    @Override
    public void sendAll(List<byte[]> utf8Frames) {
        utf8Frames.forEach(this::send);
    }

    @Override
    public boolean writeQueueFull() {
        return full;
    }

    @Override
    public void whenDrained(Runnable r) {
        if (full) {
            drainWaiters.add(r);
        } else {
            r.run();
        }
    }

    @Override
    public void ping() {
        pings++;
    }

    @Override
    public void pauseReading() {
        paused = true;
    }

    @Override
    public void resumeReading() {
        paused = false;
    }

    @Override
    public void close(int code, String reason) {
        if (closeCode == null) {
            closeCode = code;
            closeReason = reason;
            framesBeforeClose = frames.size();
        }
    }

    /** The peer stops reading: the outbound queue is above its limit from now on. */
    void fill() {
        full = true;
    }

    /** The peer caught up: the queue is below its limit, and what waited for that runs. */
    void drain() {
        full = false;
        List<Runnable> waiting = new ArrayList<>(drainWaiters);
        drainWaiters.clear();
        waiting.forEach(Runnable::run);
    }

    /** True while something waits for {@link #drain} (a replay parked between pages). */
    boolean drainAwaited() {
        return !drainWaiters.isEmpty();
    }

    List<ServerFrame> frames() {
        return frames;
    }

    /** The frames of one type, in the order sent. */
    <T extends ServerFrame> List<T> frames(Class<T> type) {
        return frames.stream().filter(type::isInstance).map(type::cast).toList();
    }

    boolean closed() {
        return closeCode != null;
    }

    Integer closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }

    int framesBeforeClose() {
        return framesBeforeClose;
    }

    boolean paused() {
        return paused;
    }

    int pings() {
        return pings;
    }
}
