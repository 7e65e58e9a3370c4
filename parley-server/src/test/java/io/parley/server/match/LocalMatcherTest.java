package io.parley.server.match;

import io.parley.server.time.ManualScheduler;
import java.time.Duration;

/** The in-process matcher on a manual clock: one object stands for every "node". */
class LocalMatcherTest extends MatcherContract {
    private final ManualScheduler clock = new ManualScheduler();
    private LocalMatcher matcher;

    @Override
    protected Matcher node(int i, Matcher.Settings settings) {
        if (matcher == null) {
            matcher = new LocalMatcher(settings, clock, storedBlocks());
        }
        return matcher;
    }

    @Override
    protected void pass(Duration d) {
        clock.advance(d);
    }
}
