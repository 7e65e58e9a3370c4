package io.parley.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A {@link Transport} with no network: every socket attempt and everything the client writes on it is reported to
 * {@code output} as a {@link Wire} record, and the test plays the server ({@link Socket#accept},
 * {@link Socket#deliver}, {@link Socket#serverClose}). Events reach the client through its executor, as the contract
 * says.
 */
final class FakeTransport implements Transport {
    /** What the client did on the wire. */
    sealed interface Wire {
        record Connect(String url) implements Wire {}

        record Text(String text) implements Wire {}

        /** A close handshake started by the client. */
        record Close(int code) implements Wire {}

        /** The client dropped the socket without a handshake. */
        record Drop() implements Wire {}
    }

    final class Socket implements Connection {
        final String url;
        private final Executor exec;
        private final Events events;
        private boolean open;
        private boolean ended;

        Socket(String url, Executor exec, Events events) {
            this.url = url;
            this.exec = exec;
            this.events = events;
        }

        @Override
        public void send(String text) {
            if (open && !ended) {
                output.accept(new Wire.Text(text));
            }
        }

        @Override
        public void abort(String reason) {
            if (!ended) {
                ended = true;
                output.accept(new Wire.Drop());
                events.ended(this, 1006, reason);
            }
        }

        @Override
        public void close(int code, String reason) {
            if (!ended) {
                ended = true;
                output.accept(new Wire.Close(code));
            }
        }

        /** The server accepts the upgrade. */
        void accept() {
            open = true;
            exec.execute(() -> events.opened(this));
        }

        void deliver(String text) {
            exec.execute(() -> {
                if (!ended) {
                    events.text(this, text);
                }
            });
        }

        /** The server closes (or the network drops, code 1006). */
        void serverClose(int code, String reason) {
            exec.execute(() -> {
                if (!ended) {
                    ended = true;
                    events.ended(this, code, reason);
                }
            });
        }
    }

    private final Consumer<Wire> output;
    private final List<Socket> sockets = new ArrayList<>();

    FakeTransport(Consumer<Wire> output) {
        this.output = output;
    }

    @Override
    public Connection open(URI target, Executor exec, Connection.Events events) {
        Socket s = new Socket(target.toString(), exec, events);
        sockets.add(s);
        output.accept(new Wire.Connect(s.url));
        return s;
    }

    /** The latest socket attempt. */
    Socket last() {
        if (sockets.isEmpty()) {
            throw new AssertionError("the client opened no socket");
        }
        return sockets.get(sockets.size() - 1);
    }
}
