package io.parley.server.gateway;

import io.parley.server.time.Scheduler;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Drives every session's heartbeat ({@link Session#tick}: the idle check and a ping) with one periodic timer per event
 * loop instead of one per session, which would cost a scheduled task, a timer handler and a timer-map entry (about
 * 0.2 KiB) per connection. Each loop's sessions are spread over {@code buckets} slots, and each tick serves one slot,
 * so the pings of many connections do not all leave at once; a session is served once per heartbeat interval, and
 * dropped from its slot once closed.
 */
final class Heartbeats {
    private static final long TICK_MILLIS = 1_000;
    private static final int MAX_BUCKETS = 64;

    private final Scheduler timers;
    private final int buckets;
    private final long tickMillis;
    private final Map<Context, Wheel> wheels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Heartbeats(Scheduler timers, Duration interval) {
        this.timers = timers;
        long millis = Math.max(1, interval.toMillis());
        this.buckets = (int) Math.max(1, Math.min(MAX_BUCKETS, millis / TICK_MILLIS));
        this.tickMillis = Math.max(1, millis / buckets);
    }

    /**
     * Stops every loop's tick (a node's stop, before its event loops close: a tick handed to a closed loop would be
     * refused). Sessions added later are not ticked.
     */
    void close() {
        closed = true;
        wheels.values().forEach(w -> w.timer.cancel());
    }

    /** Adds a session; call on its event-loop context ({@code context}, run by {@code loop}), which ticks it. */
    void add(Context context, Executor loop, Session session) {
        if (!closed) {
            wheels.computeIfAbsent(context, c -> new Wheel(loop)).add(session);
        }
    }

    /** One event loop's sessions; used on that loop only. */
    private final class Wheel {
        private final ArrayList<ArrayList<Session>> slots = new ArrayList<>(buckets);
        private int nextSlot;
        private int cursor;
        private final Scheduler.Cancellable timer;

        /** Each tick is handed to the wheel's loop: its slots and sessions are used on that loop only. */
        Wheel(Executor loop) {
            for (int i = 0; i < buckets; i++) {
                slots.add(new ArrayList<>());
            }
            timer = timers.every(Duration.ofMillis(tickMillis), () -> loop.execute(this::tick));
        }

        void add(Session s) {
            slots.get(nextSlot).add(s);
            nextSlot = (nextSlot + 1) % buckets;
        }

        private void tick() {
            ArrayList<Session> slot = slots.get(cursor);
            cursor = (cursor + 1) % buckets;
            int kept = 0;
            for (int i = 0; i < slot.size(); i++) {
                Session s = slot.get(i);
                if (s.state() != Session.State.CLOSED) {
                    s.tick();
                }
                if (s.state() != Session.State.CLOSED) {
                    slot.set(kept++, s);
                }
            }
            slot.subList(kept, slot.size()).clear();
        }
    }
}
