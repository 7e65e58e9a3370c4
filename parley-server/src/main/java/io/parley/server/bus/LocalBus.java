package io.parley.server.bus;

import io.parley.server.store.LogEvent;

import java.util.function.Consumer;

/**
 * The embedded default: one node, so publishing is handing the event to the local sink on the publishing thread
 * (the store's writer, in commit order), which keeps per-conversation order trivially.
 */
public final class LocalBus implements Bus {
    private final Consumer<LogEvent> sink;
    private final Consumer<Signal> signalSink;
    private volatile boolean closed;

    public LocalBus(Consumer<LogEvent> sink, Consumer<Signal> signalSink) {
        this.sink = sink;
        this.signalSink = signalSink;
    }

    @Override
    public void publish(Signal signal) {
        if (!closed) {
            signalSink.accept(signal);
        }
    }

    @Override
    public void publish(LogEvent event) {
        if (!closed) {
            sink.accept(event);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
