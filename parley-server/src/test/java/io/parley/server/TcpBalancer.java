package io.parley.server;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A round-robin TCP load balancer on loopback for tests, standing in for the load balancer that deploy/ configures
 * (no test runs that one yet; issue 19 adds it, with its install in .ci/run): each new connection goes to the next
 * backend that accepts it, so when a node dies its clients' reconnects land on the survivors.
 */
final class TcpBalancer implements AutoCloseable {
    private final NetServer server;
    private final NetClient client;
    private final AtomicInteger next = new AtomicInteger();
    final int port;

    TcpBalancer(Vertx vertx, List<Integer> backends) throws Exception {
        this.client = vertx.createNetClient();
        this.server = vertx.createNetServer().connectHandler(front -> {
            front.pause();
            connect(front, backends, next.getAndIncrement(), 0);
        });
        this.port = server.listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    private void connect(NetSocket front, List<Integer> backends, int index, int tried) {
        if (tried == backends.size()) {
            front.close();
            return;
        }
        int backend = backends.get(Math.floorMod(index, backends.size()));
        client.connect(backend, "127.0.0.1").onComplete(ar -> {
            if (ar.failed()) {
                connect(front, backends, index + 1, tried + 1);
                return;
            }
            NetSocket back = ar.result();
            front.handler(back::write);
            back.handler(front::write);
            front.closeHandler(v -> back.close());
            back.closeHandler(v -> front.close());
            front.resume();
        });
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }
}
