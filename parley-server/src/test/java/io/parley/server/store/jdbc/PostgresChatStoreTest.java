package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.store.Appended;
import io.parley.server.store.ChatStore;
import io.parley.server.store.ChatStoreContract;
import io.parley.server.store.CommitListener;
import io.parley.server.store.Created;
import io.parley.server.store.Entries;
import io.parley.server.store.LogEntry;
import io.parley.server.store.NewMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on the machine's PostgreSQL, plus what only a shared database has: two nodes writing at once. */
class PostgresChatStoreTest extends ChatStoreContract {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void postgres() {
        PostgresSupport.requirePostgres();
    }

    private ChatStore open(CommitListener listener) {
        return JdbcChatStore.openPostgres(PostgresOptions.fromUrl(PostgresSupport.url(schema), 3, 512), listener);
    }

    @Override
    protected ChatStore create(CommitListener listener) {
        return open(listener);
    }

    @Override
    protected ChatStore reopen(CommitListener listener) {
        return open(listener);
    }

    @Override
    protected void recordFutureMigration() {
        PostgresSupport.execute(
                "INSERT INTO " + schema + ".flyway_schema_history (installed_rank, version, description,"
                        + " type, script, checksum, installed_by, execution_time, success)"
                        + " VALUES (99, '99', 'from the future', 'SQL', 'V99__from_the_future.sql', 1, 'test', 0, true)");
    }

    @Override
    protected void cleanup() {
        PostgresSupport.dropSchema(schema);
    }

    @Test
    void twoNodesAppendingToOneConversation_getDistinctGaplessSeqs_andLoseNoWrite() throws Exception {
        ChatStore node1 = store();
        ChatStore node2 = track(open(CommitListener.NONE));
        await(node1.createUser("a", "alice", "h"));
        await(node1.createUser("b", "bob", "h"));
        await(node1.createGroup("g", "a", "g", List.of("b"), T0));
        long base = await(node1.lastSeqs("a")).get("g");
        List<CompletableFuture<Appended>> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add(node1.appendMessage(new NewMessage("g", "a", "n1-" + i, "x", "m1-" + i, T0 + i)));
            sent.add(node2.appendMessage(new NewMessage("g", "b", "n2-" + i, "y", "m2-" + i, T0 + i)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        Set<Long> seqs = new HashSet<>();
        for (CompletableFuture<Appended> f : sent) {
            assertThat(seqs.add(f.join().event().seq()))
                    .as("seq %d given twice", f.join().event().seq())
                    .isTrue();
        }
        assertThat(seqs)
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(base + 1, base + 1000).boxed().toList());
        List<LogEntry> log = await(node2.eventsAfter("g", base, 2000));
        assertThat(log).hasSize(1000);
        // Each node's own sends keep their order.
        List<String> fromA = log.stream()
                .filter(e -> e.actorId().equals("a"))
                .map(Entries::clientMsgId)
                .toList();
        assertThat(fromA)
                .isEqualTo(java.util.stream.IntStream.range(0, 500)
                        .mapToObj(i -> "n1-" + i)
                        .toList());
    }

    @Test
    void twoNodesOpeningTheSameDirectConversation_getTheSameOne_andARetryAcrossNodesIsStoredOnce() throws Exception {
        ChatStore node1 = store();
        ChatStore node2 = track(open(CommitListener.NONE));
        await(node1.createUser("a", "alice", "h"));
        await(node1.createUser("b", "bob", "h"));
        List<CompletableFuture<Created>> opened = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            opened.add(node1.getOrCreateDirect("d1-" + i, "a", "b", T0));
            opened.add(node2.getOrCreateDirect("d2-" + i, "b", "a", T0));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Set<String> ids = new HashSet<>();
        opened.forEach(f -> ids.add(f.join().conversation().id()));
        assertThat(ids).hasSize(1);
        String dm = ids.iterator().next();
        // The same message sent through both nodes at once (a client retrying on another node): stored once.
        CompletableFuture<Appended> first = node1.appendMessage(new NewMessage(dm, "a", "same", "hi", "m-1", T0));
        CompletableFuture<Appended> second = node2.appendMessage(new NewMessage(dm, "a", "same", "hi", "m-2", T0));
        Appended x = first.get(30, TimeUnit.SECONDS);
        Appended y = second.get(30, TimeUnit.SECONDS);
        assertThat(x.event().seq()).isEqualTo(y.event().seq());
        assertThat(x.duplicate() ^ y.duplicate()).isTrue();
        assertThat(await(node1.eventsAfter(dm, 0, 100)).stream().filter(e -> "same".equals(Entries.clientMsgId(e))))
                .hasSize(1);
    }
}
