package io.parley.server.auth;

import io.parley.server.store.Revocation;
import java.util.List;
import java.util.function.Consumer;

/** The {@link CloseSignal} of one node: the handler runs on the publishing thread; nothing is ever lost. */
public final class LocalCloseSignal implements CloseSignal {
    private volatile Consumer<Revocation> handler;
    private volatile boolean closed;

    @Override
    public void publish(List<Revocation> orders) {
        Consumer<Revocation> h = handler;
        if (h == null || closed) {
            return;
        }
        for (Revocation r : orders) {
            h.accept(r);
        }
    }

    @Override
    public void subscribe(Consumer<Revocation> h) {
        if (handler != null) {
            throw new IllegalStateException("the close signal has a handler already");
        }
        handler = h;
    }

    @Override
    public void close() {
        closed = true;
    }
}
