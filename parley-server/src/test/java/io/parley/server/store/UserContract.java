package io.parley.server.store;

import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Accounts: creation, lookup, credentials, provisioning, password resets, bans, display names and the user search.
 */
interface UserContract extends StoreFixture {

    @Test
    default void createUser_thenFindByIdOrUsername_returnsIt() {
        User created = await(store().createUser("u1", "alice", "hash-a"));

        assertThat(created.id()).isEqualTo("u1");
        assertThat(await(store().findUser("u1"))).contains(created);
        assertThat(await(store().findUserByUsername("alice"))).contains(created);
        assertThat(await(store().findUser("nobody"))).isEmpty();
        assertThat(await(store().findUserByUsername("nobody"))).isEmpty();
    }

    @Test
    default void createUser_withTakenUsername_failsWithConflictAndKeepsTheFirst() {
        await(store().createUser("u1", "alice", "hash-a"));

        assertThat(failure(store().createUser("u2", "alice", "hash-b"))).isInstanceOf(StoreException.Conflict.class);
        assertThat(failure(store().createUser("u1", "other", "hash-b"))).isInstanceOf(StoreException.Conflict.class);
        assertThat(await(store().findUser("u2"))).isEmpty();
        assertThat(await(store().findCredentials("alice"))).contains(new Credentials("u1", "alice", "hash-a", false));
    }

    @Test
    default void findCredentials_isEmptyForUnknownNamesAndAccountsWithoutPassword() {
        await(store().provisionUser("ext-1"));

        assertThat(await(store().findCredentials("nobody"))).isEmpty();
        assertThat(await(store().findUser("ext-1")))
                .get()
                .extracting(User::username)
                .isNull();
    }

    @Test
    default void provisionUser_concurrently_createsOneUserOnce() {
        List<CompletableFuture<User>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(store().provisionUser("ext-1"));
        }
        Set<User> users = new HashSet<>();
        calls.forEach(c -> users.add(await(c)));

        assertThat(users).hasSize(1);
        assertThat(users.iterator().next().username()).isNull();
        assertThat(await(store().provisionUser("ext-1")))
                .isEqualTo(users.iterator().next());
    }

    @Test
    default void setPasswordHash_replacesTheHash_andFailsForAnUnknownUser() {
        await(store().createUser("u1", "alice", "hash-a"));

        await(store().setPasswordHash("u1", "hash-new"));

        assertThat(await(store().findCredentials("alice"))).contains(new Credentials("u1", "alice", "hash-new", false));
        assertThat(failure(store().setPasswordHash("nobody", "h"))).isInstanceOf(StoreException.UnknownUser.class);
    }

    @Test
    default void setBanned_marksTheUser_listsIt_andUnbanUndoesIt() {
        await(store().createUser("u1", "alice", "hash-a"));
        await(store().provisionUser("ext-1"));

        assertThat(await(store().bannedUsers())).isEmpty();
        assertThat(await(store().setBanned("u1", true, 1_000))).isTrue();
        assertThat(await(store().setBanned("u1", true, 2_000))).isFalse();
        assertThat(await(store().setBanned("ext-1", true, 3_000))).isTrue();

        assertThat(await(store().bannedUsers())).containsExactlyInAnyOrder("u1", "ext-1");
        assertThat(await(store().findCredentials("alice"))).contains(new Credentials("u1", "alice", "hash-a", true));

        assertThat(await(store().setBanned("u1", false, 4_000))).isTrue();
        assertThat(await(store().setBanned("u1", false, 5_000))).isFalse();
        assertThat(await(store().bannedUsers())).containsExactly("ext-1");
        assertThat(await(store().findCredentials("alice"))).contains(new Credentials("u1", "alice", "hash-a", false));
    }

    @Test
    default void setBanned_ofAnUnknownUser_failsAndBansNobody() {
        assertThat(failure(store().setBanned("nobody", true, 1_000))).isInstanceOf(StoreException.UnknownUser.class);
        assertThat(failure(store().setBanned("nobody", false, 1_000))).isInstanceOf(StoreException.UnknownUser.class);
        assertThat(await(store().bannedUsers())).isEmpty();
    }

    @Test
    default void setDisplayName_isReadBackByIdAndUsername_clearsWithNull_andFailsForAnUnknownUser() {
        await(store().createUser("u1", "alice", "hash-a"));

        User named = await(store().setDisplayName("u1", "Alice Liddell"));

        assertThat(named.displayName()).isEqualTo("Alice Liddell");
        assertThat(await(store().findUser("u1"))).contains(named);
        assertThat(await(store().findUserByUsername("alice"))).contains(named);
        assertThat(await(store().setDisplayName("u1", null)).displayName()).isNull();
        assertThat(await(store().findUser("u1")).orElseThrow().displayName()).isNull();
        assertThat(failure(store().setDisplayName("nobody", "X"))).isInstanceOf(StoreException.UnknownUser.class);
    }

    @Test
    default void searchUsers_matchesUsernameOrDisplayNamePrefix_ignoringCase_withWildcardsAsThemselves() {
        await(store().createUser("u1", "alice", "h"));
        await(store().createUser("u2", "Alfred", "h"));
        await(store().createUser("u3", "bob", "h"));
        await(store().createUser("u4", "a_b", "h"));
        await(store().createUser("u5", "axb", "h"));
        await(store().provisionUser("ext-1"));
        await(store().setDisplayName("u3", "Albert B."));

        assertThat(await(store().searchUsers("al", 10)))
                .extracting(User::username)
                .containsExactly("Alfred", "alice", "bob");
        assertThat(await(store().searchUsers("AL", 2))).hasSize(2);
        assertThat(await(store().searchUsers("a_", 10)))
                .extracting(User::username)
                .containsExactly("a_b");
        assertThat(await(store().searchUsers("%", 10))).isEmpty();
        assertThat(await(store().searchUsers("zz", 10))).isEmpty();
    }

    @Test
    default void lastSeen_keepsTheLatestTime_ignoresUnknownUsers_andReadsManyAtOnce() {
        List<String> ids = new ArrayList<>();
        java.util.Map<String, Long> first = new java.util.HashMap<>();
        for (int i = 0; i < 120; i++) {
            String id = "seen-" + i;
            await(store().provisionUser(id));
            ids.add(id);
            first.put(id, 1_000L + i);
        }
        first.put("nobody", 5L);
        await(store().recordLastSeen(first));
        // Later wins, earlier never overwrites.
        await(store().recordLastSeen(java.util.Map.of("seen-0", 9_000L, "seen-1", 10L)));

        java.util.Map<String, Long> read = await(store().lastSeen(ids));
        assertThat(read).hasSize(120);
        assertThat(read.get("seen-0")).isEqualTo(9_000L);
        assertThat(read.get("seen-1")).isEqualTo(1_001L);
        assertThat(read.get("seen-119")).isEqualTo(1_119L);
        await(store().provisionUser("never-seen"));
        assertThat(await(store().lastSeen(List.of("never-seen", "nobody", "seen-5"))))
                .containsOnlyKeys("seen-5");
        assertThat(await(store().lastSeen(List.of()))).isEmpty();
    }
}
