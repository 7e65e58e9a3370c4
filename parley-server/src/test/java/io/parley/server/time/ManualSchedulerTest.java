package io.parley.server.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final ManualScheduler time = new ManualScheduler(T0);
    private final List<String> ran = new ArrayList<>();

    /** Records the task's name with the clock's reading when it ran (ms after T0). */
    private Runnable task(String name) {
        return () -> ran.add(name + "@" + (time.clock().millis() - T0.toEpochMilli()));
    }

    @Test
    void clock_standsStillUntilAdvanced() {
        assertThat(time.clock().instant()).isEqualTo(T0);
        time.advance(Duration.ofMillis(1500));
        assertThat(time.clock().millis()).isEqualTo(T0.toEpochMilli() + 1500);
    }

    @Test
    void advance_runsOnlyWhatFellDue_inDueOrder_withTheClockAtEachDueTime() {
        time.after(Duration.ofMillis(300), task("c"));
        time.after(Duration.ofMillis(100), task("a"));
        time.after(Duration.ofMillis(200), task("b"));
        time.after(Duration.ofMillis(900), task("late"));

        assertThat(time.advance(Duration.ofMillis(300))).isEqualTo(3);

        assertThat(ran).containsExactly("a@100", "b@200", "c@300");
        assertThat(time.pending()).isEqualTo(1);
        assertThat(time.nextDue()).isEqualTo(T0.plusMillis(900));
    }

    @Test
    void tasksDueAtTheSameTime_runInTheOrderTheyWereScheduled() {
        time.after(Duration.ofMillis(50), task("first"));
        time.after(Duration.ofMillis(50), task("second"));
        time.advance(Duration.ofMillis(50));
        assertThat(ran).containsExactly("first@50", "second@50");
    }

    @Test
    void periodicTask_runsAsOftenAsItFellDue_interleavedWithOneShots() {
        time.every(Duration.ofMillis(100), task("tick"));
        time.after(Duration.ofMillis(250), task("once"));

        time.advance(Duration.ofMillis(350));

        assertThat(ran).containsExactly("tick@100", "tick@200", "once@250", "tick@300");
        time.advance(Duration.ofMillis(50));
        assertThat(ran).endsWith("tick@400");
    }

    @Test
    void cancelledTasks_neverRun_andACancelledPeriodicTaskStops() {
        Scheduler.Cancellable once = time.after(Duration.ofMillis(10), task("once"));
        Scheduler.Cancellable tick = time.every(Duration.ofMillis(100), task("tick"));
        once.cancel();
        once.cancel();
        time.advance(Duration.ofMillis(200));
        tick.cancel();
        time.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("tick@100", "tick@200");
        assertThat(time.pending()).isZero();
        assertThat(time.nextDue()).isNull();
    }

    @Test
    void aTaskScheduledByARunningTask_runsInTheSameAdvance_ifItFallsDue() {
        time.after(Duration.ofMillis(100), () -> {
            task("outer").run();
            time.after(Duration.ofMillis(50), task("inner"));
            time.after(Duration.ofMillis(500), task("beyond"));
        });
        time.advance(Duration.ofMillis(200));
        assertThat(ran).containsExactly("outer@100", "inner@150");
    }

    @Test
    void aPeriodicTaskCancellingItself_runsNoMore() {
        Scheduler.Cancellable[] self = new Scheduler.Cancellable[1];
        self[0] = time.every(Duration.ofMillis(10), () -> {
            task("t").run();
            if (ran.size() == 2) {
                self[0].cancel();
            }
        });
        time.advance(Duration.ofMillis(100));
        assertThat(ran).containsExactly("t@10", "t@20");
    }

    @Test
    void zeroDelay_runsOnRunDue_withoutMovingTheClock() {
        time.after(Duration.ZERO, task("now"));
        assertThat(ran).isEmpty();
        assertThat(time.runDue()).isEqualTo(1);
        assertThat(ran).containsExactly("now@0");
    }

    @Test
    void refuses_timeGoingBack_andNonPositivePeriods() {
        assertThatThrownBy(() -> time.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> time.every(Duration.ZERO, task("x"))).isInstanceOf(IllegalArgumentException.class);
    }
}
