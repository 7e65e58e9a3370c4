package io.parley.server.store;

import static io.parley.server.store.StoreFixture.T0;
import static io.parley.server.store.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link SessionStore} contract, run once per implementation (SQLite, PostgreSQL). Each test gets a fresh chat
 * store (which migrates) and the session store on the same database; users "alice" and "bob" exist.
 */
public abstract class SessionStoreContract {
    protected abstract ChatStore createChatStore();

    protected abstract SessionStore createSessionStore();

    protected abstract void cleanup();

    private ChatStore chat;
    private SessionStore store;

    @BeforeEach
    void open() {
        chat = createChatStore();
        store = createSessionStore();
        await(chat.createUser("alice", "alice", "h"));
        await(chat.createUser("bob", "bob", "h"));
    }

    @AfterEach
    void close() {
        store.close();
        chat.close();
        cleanup();
    }

    private static DeviceSession session(String id, String user, long at) {
        return new DeviceSession(id, user, "dev " + id, "web", at, at, "127.0.0.1", "test", false, 0);
    }

    @Test
    void createdSession_isListedWithItsFields_untilRevoked() {
        await(store.createSession(session("s1", "alice", T0), "h1", T0 + 1000));
        await(store.createSession(session("s2", "alice", T0 + 1), "h2", T0 + 1000));
        await(store.createSession(session("s3", "bob", T0 + 2), "h3", T0 + 1000));

        assertThat(await(store.sessions("alice"))).extracting(DeviceSession::id).containsExactly("s1", "s2");
        DeviceSession s1 = await(store.session("s1")).orElseThrow();
        assertThat(s1).isEqualTo(session("s1", "alice", T0));

        Revocation r = await(store.revokeSession("alice", "s1", T0 + 5)).orElseThrow();

        assertThat(r.kind()).isEqualTo(Revocation.Kind.SESSION);
        assertThat(r.target()).isEqualTo("s1");
        assertThat(r.userId()).isEqualTo("alice");
        assertThat(await(store.sessions("alice"))).extracting(DeviceSession::id).containsExactly("s2");
        assertThat(await(store.session("s1")).orElseThrow().revokedAt()).isEqualTo(T0 + 5);
        assertThat(await(store.revokeSession("alice", "s1", T0 + 6)))
                .as("twice")
                .isEmpty();
        assertThat(await(store.revokeSession("alice", "s3", T0 + 6)))
                .as("bob's")
                .isEmpty();
        assertThat(await(store.session("s3")).orElseThrow().revoked()).isFalse();
    }

    @Test
    void rotate_usesTheTokenUp_andAReplayRevokesTheSession_evenWithTheNewestToken() {
        await(store.createSession(session("s1", "alice", T0), "h1", T0 + 1000));

        RefreshOutcome first = await(store.rotateRefreshToken("h1", "h2", T0 + 10, T0 + 2000, 0));
        assertThat(first.result()).isEqualTo(RefreshOutcome.Result.ROTATED);
        assertThat(first.session().id()).isEqualTo("s1");
        assertThat(first.revocation()).isNull();

        RefreshOutcome replay = await(store.rotateRefreshToken("h1", "h3", T0 + 20, T0 + 2000, 0));
        assertThat(replay.result()).isEqualTo(RefreshOutcome.Result.REUSED);
        assertThat(replay.revocation().target()).isEqualTo("s1");
        assertThat(await(store.session("s1")).orElseThrow().revoked()).isTrue();

        assertThat(await(store.rotateRefreshToken("h2", "h4", T0 + 30, T0 + 2000, 0))
                        .result())
                .isEqualTo(RefreshOutcome.Result.REVOKED);
        assertThat(await(store.rotateRefreshToken("h3", "h5", T0 + 30, T0 + 2000, 0))
                        .result())
                .as("the replay stored no new token")
                .isEqualTo(RefreshOutcome.Result.UNKNOWN);
    }

    @Test
    void rotate_ofAnExpiredOrUnknownToken_changesNothing() {
        await(store.createSession(session("s1", "alice", T0), "h1", T0 + 1000));
        assertThat(await(store.rotateRefreshToken("nope", "x", T0, T0 + 2000, 0))
                        .result())
                .isEqualTo(RefreshOutcome.Result.UNKNOWN);
        assertThat(await(store.rotateRefreshToken("h1", "x", T0 + 1000, T0 + 3000, 0))
                        .result())
                .isEqualTo(RefreshOutcome.Result.EXPIRED);
        assertThat(await(store.session("s1")).orElseThrow().revoked()).isFalse();
        assertThat(await(store.revocationsSince(0))).isEmpty();
    }

    @Test
    void concurrentRotations_ofOneToken_letExactlyOneWin() {
        await(store.createSession(session("s1", "alice", T0), "h1", T0 + 1000));
        List<CompletableFuture<RefreshOutcome>> racing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racing.add(store.rotateRefreshToken("h1", "n" + i, T0 + 1, T0 + 2000, 0));
        }
        List<RefreshOutcome.Result> results =
                racing.stream().map(f -> await(f).result()).toList();
        assertThat(results).filteredOn(r -> r == RefreshOutcome.Result.ROTATED).hasSize(1);
        assertThat(results).filteredOn(r -> r == RefreshOutcome.Result.REUSED).hasSize(1);
        assertThat(results).filteredOn(r -> r == RefreshOutcome.Result.REVOKED).hasSize(6);
    }

    @Test
    void withAGrace_aTokenPresentedAgainSoonAfterItsFirstUse_rotatesAgain_andAfterTheGraceIsAReplay() {
        await(store.createSession(session("s1", "alice", T0), "h1", T0 + 10_000));

        assertThat(await(store.rotateRefreshToken("h1", "h2", T0 + 10, T0 + 20_000, 100))
                        .result())
                .isEqualTo(RefreshOutcome.Result.ROTATED);
        // The answer to the first exchange was lost: the device presents h1 again, 99 ms after its first use.
        RefreshOutcome again = await(store.rotateRefreshToken("h1", "h3", T0 + 109, T0 + 20_000, 100));
        assertThat(again.result()).isEqualTo(RefreshOutcome.Result.ROTATED);
        assertThat(again.revocation()).isNull();
        assertThat(await(store.session("s1")).orElseThrow().revoked()).isFalse();
        assertThat(await(store.rotateRefreshToken("h3", "h4", T0 + 120, T0 + 20_000, 100))
                        .result())
                .as("the second answer's token is good")
                .isEqualTo(RefreshOutcome.Result.ROTATED);

        // The grace counts from the first use (T0 + 10), not from the exchange within it.
        RefreshOutcome late = await(store.rotateRefreshToken("h1", "h5", T0 + 110, T0 + 20_000, 100));
        assertThat(late.result()).isEqualTo(RefreshOutcome.Result.REUSED);
        assertThat(late.revocation().target()).isEqualTo("s1");
        assertThat(await(store.rotateRefreshToken("h2", "h6", T0 + 111, T0 + 20_000, 100))
                        .result())
                .as("the lost answer's token dies with the session")
                .isEqualTo(RefreshOutcome.Result.REVOKED);
    }

    @Test
    void withAGrace_concurrentRotations_ofOneToken_allWin() {
        await(store.createSession(session("s1", "alice", T0), "h1", T0 + 1000));
        List<CompletableFuture<RefreshOutcome>> racing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racing.add(store.rotateRefreshToken("h1", "n" + i, T0 + 1, T0 + 2000, 30_000));
        }
        assertThat(racing.stream().map(f -> await(f).result()).toList())
                .containsOnly(RefreshOutcome.Result.ROTATED)
                .hasSize(8);
        assertThat(await(store.session("s1")).orElseThrow().revoked()).isFalse();
        assertThat(await(store.revocationsSince(0))).isEmpty();
    }

    @Test
    void revokeUser_revokesEverySession_andLogsAUserEntryLast_andOthersKeepsOne() {
        await(store.createSession(session("s1", "alice", T0), "h1", T0 + 1000));
        await(store.createSession(session("s2", "alice", T0), "h2", T0 + 1000));
        await(store.createSession(session("s3", "alice", T0), "h3", T0 + 1000));

        List<Revocation> others = await(store.revokeOtherSessions("alice", "s2", T0 + 1));
        assertThat(others).extracting(Revocation::target).containsExactlyInAnyOrder("s1", "s3");
        assertThat(await(store.sessions("alice"))).extracting(DeviceSession::id).containsExactly("s2");

        List<Revocation> all = await(store.revokeUser("alice", T0 + 2));
        assertThat(all).extracting(Revocation::kind).containsExactly(Revocation.Kind.SESSION, Revocation.Kind.USER);
        assertThat(all.get(1).target()).isEqualTo("alice");
        assertThat(await(store.sessions("alice"))).isEmpty();

        List<Revocation> log = await(store.revocationsSince(0));
        assertThat(log).extracting(Revocation::id).isSorted().doesNotHaveDuplicates();
        assertThat(log).hasSize(4);
        assertThat(await(store.revocationsSince(T0 + 2))).hasSize(2);
    }

    @Test
    void ensureSession_createsOnce_andKeepsTheFirst() {
        DeviceSession first = new DeviceSession("ext-1", "alice", null, null, T0, T0, null, null, true, 0);
        assertThat(await(store.ensureSession(first))).isEqualTo(first);
        DeviceSession other = new DeviceSession("ext-1", "bob", null, null, T0 + 5, T0 + 5, null, null, true, 0);
        assertThat(await(store.ensureSession(other)).userId()).isEqualTo("alice");

        await(store.touch("ext-1", T0 + 100));
        await(store.touch("ext-1", T0 + 50));
        assertThat(await(store.session("ext-1")).orElseThrow().lastSeenAt())
                .as("never backwards")
                .isEqualTo(T0 + 100);
    }

    @Test
    void aBan_writesABanEntry_inTheBansTransaction() {
        await(chat.setBanned("bob", true, T0 + 7));
        await(chat.setBanned("bob", true, T0 + 8));

        List<Revocation> log = await(store.revocationsSince(0));
        assertThat(log).hasSize(1);
        assertThat(log.get(0).kind()).isEqualTo(Revocation.Kind.BAN);
        assertThat(log.get(0).target()).isEqualTo("bob");
        assertThat(log.get(0).at()).isEqualTo(T0 + 7);
    }
}
