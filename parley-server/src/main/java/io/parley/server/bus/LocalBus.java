package io.parley.server.bus;

/**
 * The embedded default: one node, so publishing is handing the event to the subscribed sink on the publishing thread
 * (the store's writer, in commit order), which keeps per-conversation order trivially. It has no connection to lose,
 * so it never calls {@link Sink#resync}.
 */
public final class LocalBus implements Bus {
    private final Interest interest = new Interest();
    private volatile boolean closed;

    @Override
    public void publish(Signal signal) {
        Sink sink = interest.sink();
        if (!closed && sink != null) {
            sink.deliver(signal);
        }
    }

    @Override
    public void publish(Delivery event) {
        Sink sink = interest.sink();
        if (!closed && sink != null) {
            sink.deliver(event);
        }
    }

    @Override
    public void publish(java.util.List<Delivery> run) {
        Sink sink = interest.sink();
        if (!closed && sink != null && !run.isEmpty()) {
            sink.deliver(run);
        }
    }

    @Override
    public Subscription subscribe(Sink sink) {
        return interest.subscribe(sink, () -> {});
    }

    @Override
    public void close() {
        closed = true;
    }
}
