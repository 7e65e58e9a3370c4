package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final List<String> closed = new ArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle();

    private void part(String name) {
        lifecycle.own(name, name, () -> closed.add(name));
    }

    private void failing(String name) {
        lifecycle.own(name, name, () -> {
            closed.add(name);
            throw new IllegalStateException(name + " broke");
        });
    }

    @Test
    void close_closesPartsNewestFirst_andOnlyOnce() {
        part("timers");
        part("store");
        part("vertx");

        lifecycle.close();
        lifecycle.close();

        assertThat(closed).containsExactly("vertx", "store", "timers");
        assertThat(lifecycle.names()).isEmpty();
    }

    @Test
    void close_whenOnePartFails_closesTheOthers_andReportsEveryFailureSuppressed() {
        part("timers");
        failing("store");
        part("bus");
        failing("vertx");

        assertThatThrownBy(lifecycle::close)
                .isInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getSuppressed())
                        .extracting(Throwable::getMessage)
                        .containsExactly(
                                "closing vertx failed: java.lang.IllegalStateException: vertx broke",
                                "closing store failed: java.lang.IllegalStateException: store broke"));
        assertThat(closed).containsExactly("vertx", "bus", "store", "timers");
    }

    @Test
    void closeAfter_addsCloseFailuresToTheStartFailure_andReturnsIt() {
        part("timers");
        failing("redis");
        RuntimeException startFailure = new RuntimeException("store unreachable");

        RuntimeException reported = lifecycle.closeAfter(startFailure);

        assertThat(reported).isSameAs(startFailure);
        assertThat(reported.getSuppressed()).hasSize(1);
        assertThat(reported.getSuppressed()[0]).hasRootCauseMessage("redis broke");
        assertThat(closed).containsExactly("redis", "timers");
    }
}
