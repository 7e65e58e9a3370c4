package io.parley.server;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy in front of the server, to cut connections at chosen moments: with {@link #blackholeDownstream}
 * set, bytes from the server to the client are dropped (the server's ack never arrives), and {@link #cutAll} drops
 * every proxied connection without a WebSocket close, as a network failure would.
 */
final class TcpProxy implements AutoCloseable {
    private final NetServer server;
    private final NetClient client;
    private final List<NetSocket> sockets = new CopyOnWriteArrayList<>();
    /** One flag per proxied connection: once a connection's downstream is blackholed it stays so until it dies. */
    private final List<AtomicBoolean> dropFlags = new CopyOnWriteArrayList<>();

    final int port;

    TcpProxy(Vertx vertx, int targetPort) throws Exception {
        this.client = vertx.createNetClient();
        this.server = vertx.createNetServer().connectHandler(front -> {
            front.pause();
            client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
                if (ar.failed()) {
                    front.close();
                    return;
                }
                NetSocket back = ar.result();
                AtomicBoolean drop = new AtomicBoolean();
                dropFlags.add(drop);
                sockets.add(front);
                sockets.add(back);
                front.handler(back::write);
                back.handler(buf -> {
                    if (!drop.get()) {
                        front.write(buf);
                    }
                });
                front.closeHandler(v -> back.close());
                back.closeHandler(v -> front.close());
                front.resume();
            });
        });
        this.port = server.listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    /** From now on, drop server-to-client bytes of every connection open now (new connections are not affected). */
    void blackholeDownstream() {
        dropFlags.forEach(f -> f.set(true));
    }

    /** Closes every proxied connection and waits until they are closed. */
    void cutAll() {
        List<NetSocket> open = List.copyOf(sockets);
        sockets.clear();
        dropFlags.clear();
        for (NetSocket s : open) {
            try {
                s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("proxy connection did not close", e);
            }
        }
    }

    @Override
    public void close() {
        cutAll();
        server.close();
        client.close();
    }
}
