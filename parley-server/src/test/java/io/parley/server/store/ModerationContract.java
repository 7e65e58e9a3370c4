package io.parley.server.store;

import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.store.ModerationStore.AdminAudit;
import io.parley.server.store.ModerationStore.Mute;
import io.parley.server.store.ModerationStore.Report;
import io.parley.server.store.jdbc.JdbcChatStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ModerationStore}: admins, audited bans, mutes and reports, each audited in its transaction. */
interface ModerationContract extends StoreFixture {

    default ModerationStore moderation() {
        return ((JdbcChatStore) store()).moderation();
    }

    private List<String> audit() {
        return await(moderation().auditLog(Long.MAX_VALUE, 100)).stream()
                .map(e -> e.action() + " " + e.actorId() + " " + e.targetUserId())
                .toList();
    }

    @Test
    default void setAdmin_grantsAndRevokesOnce_auditsEachChange_andRefusesUnknownUsers() {
        users("a", "b");

        assertThat(await(moderation().setAdmin("cli:op", "a", true, T0))).isTrue();
        assertThat(await(moderation().setAdmin("cli:op", "a", true, T0 + 1))).isFalse();
        assertThat(await(moderation().admins())).containsExactly("a");
        assertThat(await(moderation().setAdmin("a", "a", false, T0 + 2))).isTrue();
        assertThat(failure(moderation().setAdmin("cli:op", "nobody", true, T0)))
                .isInstanceOf(StoreException.UnknownUser.class);

        assertThat(await(moderation().admins())).isEmpty();
        assertThat(audit()).containsExactly("revoke_admin a a", "grant_admin cli:op a");
    }

    @Test
    default void ban_isSetBannedWithItsAuditEntry_andItsRevocationLogEntry() {
        users("a", "root");

        assertThat(await(moderation().ban("root", "a", true, T0))).isTrue();
        assertThat(await(moderation().ban("root", "a", true, T0 + 1))).isFalse();

        assertThat(await(store().bannedUsers())).containsExactly("a");
        assertThat(failure(moderation().ban("root", "nobody", true, T0)))
                .isInstanceOf(StoreException.UnknownUser.class);
        assertThat(await(moderation().ban("root", "a", false, T0 + 2))).isTrue();
        assertThat(await(store().bannedUsers())).isEmpty();
        assertThat(audit()).containsExactly("unban root a", "ban root a");
        List<AdminAudit> page = await(moderation().auditLog(Long.MAX_VALUE, 1));
        assertThat(page).hasSize(1);
        assertThat(await(moderation().auditLog(page.get(0).id(), 10)))
                .extracting(AdminAudit::action)
                .containsExactly("ban");
    }

    @Test
    default void mute_isInForceUntilItsEnd_replacesTheLastOne_andUnmuteLiftsIt_eachAuditedInBothLogs() {
        users("o", "m", "x");
        group("g", "o", "m");

        Mute forever = await(moderation().mute("g", "o", "m", null, T0));
        assertThat(forever.inForce(Long.MAX_VALUE - 1)).isTrue();
        assertThat(await(moderation().mutes(T0 + 1))).containsExactly(forever);
        await(moderation().mute("g", "o", "m", T0 + 100, T0 + 1));
        assertThat(await(moderation().mutes(T0 + 99))).hasSize(1);
        assertThat(await(moderation().mutes(T0 + 100))).isEmpty();
        assertThat(await(moderation().unmute("g", "o", "m", T0 + 200))).isFalse();
        await(moderation().mute("g", "o", "m", null, T0 + 300));
        assertThat(await(moderation().unmute("g", "o", "m", T0 + 301))).isTrue();
        assertThat(await(moderation().mutes(T0 + 302))).isEmpty();

        assertThat(failure(moderation().mute("g", "o", "x", null, T0))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(moderation().mute("nope", "o", "m", null, T0))).isInstanceOf(StoreException.NotFound.class);
        assertThat(audit())
                .containsExactly("member_unmuted o m", "member_muted o m", "member_muted o m", "member_muted o m");
        assertThat(await(store().auditLog("g", Long.MAX_VALUE, 10)))
                .extracting(AuditEntry::action)
                .containsExactly("member_unmuted", "member_muted", "member_muted", "member_muted");
        // created, 2 x member_added, then one event per change: no event for the unmute of an ended mute.
        List<LogEntry> log = await(store().eventsAfter("g", 3, 10));
        assertThat(log)
                .extracting(LogEntry::kind)
                .containsExactly(
                        io.parley.protocol.EventKind.MEMBER_MUTED,
                        io.parley.protocol.EventKind.MEMBER_MUTED,
                        io.parley.protocol.EventKind.MEMBER_MUTED,
                        io.parley.protocol.EventKind.MEMBER_UNMUTED);
        assertThat(log.get(0)).isEqualTo(new LogEntry.MemberMuted(log.get(0).header(), "m", null));
        assertThat(log.get(1)).isEqualTo(new LogEntry.MemberMuted(log.get(1).header(), "m", T0 + 100));
        assertThat(await(store().auditLog("g", Long.MAX_VALUE, 1)).get(0).seq())
                .isEqualTo(log.get(3).seq());
        assertThat(listener().events()).containsAll(log);
    }

    @Test
    default void report_isStoredOncePerReporter_countedForTheSender_andRefusedForNonMembersAndUnknownMessages() {
        users("o", "m", "x");
        group("g", "o", "m");
        Appended sent = await(store().appendMessage(StoreFixture.message("g", "m", "c1", "spam")));
        String id = sent.event().messageId();

        Report first = await(moderation().report("g", "o", id, "spam", T0));
        Report again = await(moderation().report("g", "o", id, "other reason", T0 + 1));
        await(moderation().report("g", "m", id, "my own", T0 + 2));

        assertThat(first.created()).isTrue();
        assertThat(first.senderId()).isEqualTo("m");
        assertThat(again.created()).isFalse();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.reason()).isEqualTo("spam");
        assertThat(failure(moderation().report("g", "x", id, "r", T0))).isInstanceOf(StoreException.NotFound.class);
        assertThat(failure(moderation().report("g", "o", "nope", "r", T0)))
                .isInstanceOf(StoreException.MessageNotFound.class);
        assertThat(await(moderation().reports(Long.MAX_VALUE, 10)))
                .extracting(Report::reporterId)
                .containsExactly("m", "o");
        assertThat(await(moderation().reportCounts())).isEqualTo(Map.of("m", 2));
        assertThat(audit()).containsExactly("message_reported m m", "message_reported o m");
    }
}
