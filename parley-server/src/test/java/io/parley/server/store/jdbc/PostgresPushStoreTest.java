package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.push.PushMessage;
import io.parley.server.push.PushStore;
import io.parley.server.store.PushDevice;
import io.parley.server.store.SessionStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The push store contract on PostgreSQL, plus what only a shared database has: two nodes claiming at once. */
class PostgresPushStoreTest extends PushStoreContract {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void postgres() {
        PostgresSupport.requirePostgres();
    }

    private JdbcChatStore open() {
        return JdbcChatStore.openPostgres(PostgresOptions.fromUrl(PostgresSupport.url(schema), 3, 512), c -> {});
    }

    @Override
    protected JdbcChatStore createChatStore() {
        return open();
    }

    @Override
    protected SessionStore createSessionStore() {
        return JdbcSessionStore.openPostgres(PostgresOptions.fromUrl(PostgresSupport.url(schema), 1, 1));
    }

    @Override
    protected void cleanup() {
        PostgresSupport.dropSchema(schema);
    }

    @Test
    void twoNodesClaimingAtOnce_neverGetTheSameJob() {
        int n = 60;
        List<PushStore.NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PushDevice d = device("b", "tok-" + i);
            jobs.add(new PushStore.NewJob(d.id(), "b", new PushMessage("g", "t", "", 1, 1, false, 1), T0, T0));
        }
        await(push.commitPlan(plan(jobs.toArray(PushStore.NewJob[]::new))));
        JdbcChatStore other = open();
        try {
            PushStore second = other.pushStore();
            Set<Long> seen = new HashSet<>();
            int total = 0;
            for (int round = 0; round < 20 && total < n; round++) {
                CompletableFuture<List<PushStore.Job>> a = push.claimJobs(T0, T0 + 60_000, 7);
                CompletableFuture<List<PushStore.Job>> b = second.claimJobs(T0, T0 + 60_000, 7);
                for (PushStore.Job j : await(a)) {
                    assertThat(seen.add(j.id()))
                            .as("job " + j.id() + " claimed twice")
                            .isTrue();
                    total++;
                }
                for (PushStore.Job j : await(b)) {
                    assertThat(seen.add(j.id()))
                            .as("job " + j.id() + " claimed twice")
                            .isTrue();
                    total++;
                }
            }
            assertThat(total).isEqualTo(n);
        } finally {
            other.close();
        }
    }
}
