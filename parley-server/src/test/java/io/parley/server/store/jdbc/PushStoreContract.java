package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.push.PushMessage;
import io.parley.server.push.PushSettings;
import io.parley.server.push.PushStore;
import io.parley.server.store.DeviceSession;
import io.parley.server.store.NewMessage;
import io.parley.server.store.NotifyLevel;
import io.parley.server.store.PushDevice;
import io.parley.server.store.SessionStore;
import io.parley.server.store.StoreException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PushStore} must do (SQLite and PostgreSQL extend it once each): a committed message touches its
 * conversation in its own transaction; claims lease; a plan that saw an older touch leaves the row; jobs coalesce per
 * device and conversation, and an outcome for a replaced payload leaves the newer one queued.
 */
abstract class PushStoreContract {
    static final long T0 = 1_700_000_000_000L;
    static final long GRACE = 5_000;

    protected abstract JdbcChatStore createChatStore();

    protected abstract SessionStore createSessionStore();

    protected void cleanup() {}

    protected JdbcChatStore chat;
    protected SessionStore sessions;
    protected PushStore push;
    protected PushSettings settings;

    @BeforeEach
    void openStores() {
        chat = createChatStore();
        sessions = createSessionStore();
        push = chat.pushStore();
        settings = chat.pushSettings();
        await(chat.createUser("a", "alice", "h"));
        await(chat.createUser("b", "bob", "h"));
        await(chat.createGroup("g", "a", "group", List.of("b"), T0));
    }

    @AfterEach
    void closeStores() throws Exception {
        sessions.close();
        chat.close();
        cleanup();
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    long send(String from, String text, long at) {
        return await(chat.appendMessage(new NewMessage("g", from, "c-" + text, text, "m-" + text, at)))
                .event()
                .seq();
    }

    PushDevice device(String user, String token) {
        String sid = "s-" + user + "-" + token;
        await(sessions.createSession(
                new DeviceSession(sid, user, "dev", "web", T0, T0, "127.0.0.1", "test", false, 0),
                "hash-" + sid,
                T0 + 3_600_000));
        return await(
                sessions.addDevice(new PushDevice("d-" + token, user, sid, PushDevice.Platform.WEBPUSH, token, T0)));
    }

    @Test
    void aCommittedMessage_touchesItsConversation_andTheClaimLeasesIt() {
        device("b", "tok-touch"); // a member with a device: only then does a message touch the queue (V17)
        send("a", "hi", T0);

        assertThat(await(push.claimTouched(T0 + 1_000, GRACE, T0 + 61_000, 10)))
                .as("inside the grace window")
                .isEmpty();
        List<PushStore.Touched> claimed = await(push.claimTouched(T0 + 6_000, GRACE, T0 + 66_000, 10));
        assertThat(claimed).extracting(PushStore.Touched::conversationId).containsExactly("g");
        assertThat(await(push.claimTouched(T0 + 7_000, GRACE, T0 + 67_000, 10)))
                .as("leased")
                .isEmpty();
        assertThat(await(push.claimTouched(T0 + 66_000, GRACE, T0 + 126_000, 10)))
                .as("after the lease ran out (a worker killed)")
                .hasSize(1);
    }

    @Test
    void aMessage_inAConversationWhereNoOtherMemberHasADevice_touchesNothing() {
        device("a", "tok-sender"); // the sender's own device does not count: nobody else could be pushed
        send("a", "hi", T0);

        assertThat(await(push.claimTouched(T0 + 60_000, GRACE, T0 + 120_000, 10)))
                .isEmpty();
    }

    @Test
    void aPlanThatSawAnOlderTouch_leavesTheConversationForAnotherRound() {
        device("b", "tok-older"); // a member with a device: only then does a message touch the queue (V17)
        send("a", "one", T0);
        PushStore.Touched t =
                await(push.claimTouched(T0 + 6_000, GRACE, T0 + 66_000, 10)).get(0);
        send("a", "two", T0 + 6_500);

        await(push.commitPlan(new PushStore.Plan("g", t.touches(), T0 + 7_000, List.of(), List.of(), 0)));
        assertThat(await(push.claimTouched(T0 + 8_000, GRACE, T0 + 68_000, 10)))
                .as("grace restarts")
                .isEmpty();
        PushStore.Touched again =
                await(push.claimTouched(T0 + 12_000, GRACE, T0 + 72_000, 10)).get(0);
        assertThat(again.touches()).isGreaterThan(t.touches());

        await(push.commitPlan(new PushStore.Plan("g", again.touches(), T0 + 12_000, List.of(), List.of(), 0)));
        assertThat(await(push.claimTouched(T0 + 99_000, GRACE, T0 + 159_000, 10)))
                .isEmpty();
    }

    @Test
    void aConversationKeptForALaterRound_waitsForIt_unlessANewMessageComes() {
        device("b", "tok-later"); // a member with a device: only then does a message touch the queue (V17)
        send("a", "one", T0);
        PushStore.Touched t =
                await(push.claimTouched(T0 + 6_000, GRACE, T0 + 66_000, 10)).get(0);
        await(push.commitPlan(new PushStore.Plan("g", t.touches(), T0 + 6_000, List.of(), List.of(), T0 + 60_000)));
        assertThat(await(push.claimTouched(T0 + 20_000, GRACE, T0 + 80_000, 10)))
                .isEmpty();

        send("a", "two", T0 + 30_000);
        assertThat(await(push.claimTouched(T0 + 34_000, GRACE, T0 + 94_000, 10)))
                .isEmpty();
        assertThat(await(push.claimTouched(T0 + 35_000, GRACE, T0 + 95_000, 10)))
                .as("the new message's grace is over, before the later round")
                .hasSize(1);
    }

    @Test
    void audience_leavesOutMembersWithEverythingDelivered_andOwedCountsWhatIsUnread() {
        send("a", "one", T0);
        long last = send("a", "hey @Bob look", T0 + 1);
        // Without a push device nothing could be sent to bob: the audience leaves him out before counting anything.
        assertThat(await(push.audience("g")).orElseThrow().recipients())
                .extracting(PushStore.Recipient::userId)
                .doesNotContain("b");
        device("b", "tok-audience");
        PushStore.Audience a = await(push.audience("g")).orElseThrow();
        assertThat(a.lastSeq()).isEqualTo(last);
        PushStore.Recipient bob = a.recipients().stream()
                .filter(r -> r.userId().equals("b"))
                .findFirst()
                .orElseThrow();
        PushStore.Owed owed = await(push.owed("g", bob, bob.readSeq()));
        assertThat(owed.unread()).isEqualTo(2);
        assertThat(owed.latest().text()).isEqualTo("hey @Bob look");
        assertThat(owed.firstAt()).isEqualTo(T0);
        assertThat(owed.mentionCandidates()).containsExactly("hey @Bob look");

        await(chat.markRead("g", "b", last));
        assertThat(await(push.audience("g")).orElseThrow().recipients())
                .extracting(PushStore.Recipient::userId)
                .doesNotContain("b");
    }

    @Test
    void unreadTotal_countsMessagesByOthersAboveTheReadCursorInEveryConversation_upToTheCap() {
        await(chat.createGroup("h", "a", "second", List.of("b"), T0));
        send("a", "one", T0);
        long two = send("a", "two", T0 + 1);
        send("b", "mine", T0 + 2);
        await(chat.appendMessage(new NewMessage("h", "a", "c-h1", "elsewhere", "m-h1", T0 + 3)));
        await(chat.appendMessage(new NewMessage("h", "a", "c-h2", "gone soon", "m-h2", T0 + 4)));
        assertThat(await(push.unreadTotal("b", 999)))
                .as("2 in g (not bob's own), 2 in h")
                .isEqualTo(4);
        assertThat(await(push.unreadTotal("a", 999))).as("bob's one message").isEqualTo(1);

        await(chat.deleteMessage("h", "a", "m-h2", T0 + 5));
        assertThat(await(push.unreadTotal("b", 999)))
                .as("a deleted message is not unread")
                .isEqualTo(3);
        await(chat.markRead("g", "b", two));
        assertThat(await(push.unreadTotal("b", 999))).isEqualTo(1);
        send("a", "three", T0 + 6);
        send("a", "four", T0 + 7);
        assertThat(await(push.unreadTotal("b", 2)))
                .as("counting stops at the cap")
                .isEqualTo(2);
        await(chat.createUser("x", "xavier", "h"));
        assertThat(await(push.unreadTotal("x", 999))).as("a member of nothing").isZero();
    }

    @Test
    void jobsCoalescePerDeviceAndConversation_andAReplacedPayloadStaysQueued() {
        PushDevice d = device("b", "tok-1");
        PushMessage first = new PushMessage("g", "New message", "", 1, 1, false, 4);
        PushMessage second = new PushMessage("g", "2 new messages", "", 2, 2, false, 5);
        await(push.commitPlan(plan(new PushStore.NewJob(d.id(), "b", first, T0, T0))));
        assertThat(await(push.depth())).isEqualTo(1);

        PushStore.Job out = await(push.claimJobs(T0, T0 + 60_000, 10)).get(0);
        assertThat(out.device()).isEqualTo(d);
        assertThat(await(push.claimJobs(T0 + 1, T0 + 60_001, 10))).as("leased").isEmpty();
        // A newer plan while the first is being sent: the same row, the newer payload.
        await(push.commitPlan(plan(new PushStore.NewJob(d.id(), "b", second, T0, T0))));
        assertThat(await(push.depth())).isEqualTo(1);
        await(push.finish(List.of(new PushStore.Outcome.Done(out))));

        PushStore.Job next = await(push.claimJobs(T0 + 2, T0 + 60_002, 10)).get(0);
        assertThat(next.message()).isEqualTo(second);
        await(push.finish(List.of(new PushStore.Outcome.Later(next, T0 + 10_000, true, "HTTP 503"))));
        assertThat(await(push.claimJobs(T0 + 3, T0 + 60_003, 10)))
                .as("backing off")
                .isEmpty();
        PushStore.Job retried =
                await(push.claimJobs(T0 + 10_000, T0 + 70_000, 10)).get(0);
        assertThat(retried.attempts()).isEqualTo(1);
        await(push.finish(List.of(new PushStore.Outcome.Dead(retried, T0 + 10_001, "HTTP 400"))));
        assertThat(await(push.depth())).isZero();
    }

    @Test
    void aGoneDevice_isRemovedWithItsJobs() {
        PushDevice d = device("b", "tok-2");
        await(push.commitPlan(
                plan(new PushStore.NewJob(d.id(), "b", new PushMessage("g", "t", "", 1, 1, false, 1), T0, T0))));
        PushStore.Job j = await(push.claimJobs(T0, T0 + 60_000, 10)).get(0);
        await(push.finish(List.of(new PushStore.Outcome.Gone(j))));
        assertThat(await(push.depth())).isZero();
        assertThat(await(sessions.devices("b"))).isEmpty();
    }

    @Test
    void notifyLevelAndDoNotDisturb_areStored_andANonMemberIsNotFound() {
        assertThat(await(settings.setNotify("g", "b", NotifyLevel.NONE)).name()).isEqualTo("GROUP");
        assertThat(await(chat.findConversation("g", "b")).orElseThrow().notifyLevel())
                .isEqualTo(NotifyLevel.NONE);
        await(settings.setNotify("g", "b", null));
        assertThat(await(chat.findConversation("g", "b")).orElseThrow().notifyLevel())
                .isEqualTo(NotifyLevel.MENTIONS);
        await(chat.createUser("x", "xavier", "h"));
        assertThat(failure(settings.setNotify("g", "x", NotifyLevel.ALL))).isInstanceOf(StoreException.NotFound.class);

        assertThat(await(settings.doNotDisturbUntil("b"))).isNull();
        await(settings.setDoNotDisturbUntil("b", T0 + 1_000));
        assertThat(await(settings.doNotDisturbUntil("b"))).isEqualTo(T0 + 1_000);
        await(settings.setDoNotDisturbUntil("b", null));
        assertThat(await(settings.doNotDisturbUntil("b"))).isNull();
    }

    static PushStore.Plan plan(PushStore.NewJob... jobs) {
        return new PushStore.Plan("g", 0, T0, List.of(jobs), List.of(), 0);
    }
}
