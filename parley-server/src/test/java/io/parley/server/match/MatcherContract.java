package io.parley.server.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Matcher} promises (its javadoc), run against the in-process one and against Redis with three
 * nodes on one prefix. {@code node(i, settings)} is node i's matcher (the same object in process); {@link #pass} moves the
 * matcher's time (a manual clock in process, Redis's real clock).
 */
public abstract class MatcherContract {
    /** Short enough for Redis's real clock; the stress test renews nothing, so it takes longer ones. */
    protected static final Matcher.Settings SETTINGS = new Matcher.Settings(
            Duration.ofMillis(2000), Duration.ofMillis(1000), Duration.ofMillis(1500), Duration.ofMillis(4000), 1000);

    protected abstract Matcher node(int i, Matcher.Settings settings);

    protected abstract void pass(Duration d) throws Exception;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    /** The store's blocks as the matchers under test read them ({@link Matcher.StoredBlocks}); a test may add some. */
    protected final Map<String, Set<String>> stored = new java.util.concurrent.ConcurrentHashMap<>();

    protected Matcher.StoredBlocks storedBlocks() {
        return () -> CompletableFuture.completedFuture(Map.copyOf(stored));
    }

    private String user(String name) {
        return run + "-" + name;
    }

    protected static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private Ticket ticket(String user, List<String> interests, String language) {
        return new Ticket(user, "s-" + user, interests, language, false);
    }

    private JoinResult lockAndJoin(Matcher m, Ticket t) throws Exception {
        assertThat(get(m.lock(t.userId(), t.sessionId(), false)).held()).isTrue();
        return get(m.join(t, "c-" + UUID.randomUUID(), "alias-" + t.userId(), "alias-partner"));
    }

    @Test
    void join_twoUsers_pairedSymmetricallyWithPseudonyms() throws Exception {
        Matcher m = node(0, SETTINGS);
        String a = user("a");
        String b = user("b");
        assertThat(lockAndJoin(m, ticket(a, List.of(), null)).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
        JoinResult r = lockAndJoin(node(1, SETTINGS), ticket(b, List.of(), null));
        assertThat(r.outcome()).isEqualTo(JoinResult.Outcome.MATCHED);
        assertThat(r.pair().partnerId()).isEqualTo(a);
        Pair ofA = get(m.pairOf(a)).orElseThrow();
        assertThat(ofA).isEqualTo(r.pair().mirror());
        assertThat(ofA.partnerAlias()).isEqualTo(r.pair().alias());
        assertThat(get(m.counts()).waiting()).isZero();
    }

    @Test
    void lock_secondSession_refusedUnlessTakeover_andOnlyTheHolderJoins() throws Exception {
        Matcher m = node(0, SETTINGS);
        String a = user("a");
        assertThat(get(m.lock(a, "tab1", false))).isEqualTo(new Lock(true, null));
        assertThat(get(node(1, SETTINGS).lock(a, "tab2", false)).held()).isFalse();
        Ticket fromTab2 = new Ticket(a, "tab2", List.of(), null, false);
        assertThat(get(m.join(fromTab2, "c", "x", "y")).outcome()).isEqualTo(JoinResult.Outcome.NOT_LOCKED);
        assertThat(get(m.counts()).waiting()).isZero();
        assertThat(get(m.lock(a, "tab2", true))).isEqualTo(new Lock(true, "tab1"));
        assertThat(get(m.renew(a, "tab1")).held()).isFalse();
        assertThat(get(m.join(fromTab2, "c", "x", "y")).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
        assertThat(get(m.join(fromTab2, "c", "x", "y")).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
        assertThat(get(m.counts())).isEqualTo(new Counts(1, 1));
    }

    @Test
    void join_takesTheOldestCompatibleWaitingUser_andNarrowsByInterestsAndLanguage() throws Exception {
        Matcher m = node(0, SETTINGS);
        String a = user("a");
        String b = user("b");
        String c = user("c");
        String d = user("d");
        assertThat(lockAndJoin(m, ticket(a, List.of("chess"), "en")).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
        assertThat(lockAndJoin(m, ticket(b, List.of("films"), "en")).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
        assertThat(lockAndJoin(m, ticket(c, List.of("chess", "films"), "fr")).outcome())
                .isEqualTo(JoinResult.Outcome.WAITING);
        JoinResult r = lockAndJoin(m, ticket(d, List.of("films", "chess"), "en"));
        assertThat(r.pair().partnerId()).as("FIFO: a waited longest").isEqualTo(a);
        // c relaxes: b (films, en) is the oldest valid one now.
        get(m.lock(c, "s-" + c, false));
        get(m.lock(b, "s-" + b, false));
        JoinResult relaxed =
                get(m.join(ticket(c, List.of("chess", "films"), "fr").relax(), "c2", "p", "q"));
        assertThat(relaxed.outcome()).isEqualTo(JoinResult.Outcome.MATCHED);
        assertThat(relaxed.pair().partnerId()).isEqualTo(b);
    }

    @Test
    void end_withSkip_keepsThePairApartForTheCooldown_andBlockForever() throws Exception {
        Matcher m = node(0, SETTINGS);
        String a = user("a");
        String b = user("b");
        lockAndJoin(m, ticket(a, List.of(), null));
        lockAndJoin(m, ticket(b, List.of(), null));
        Pair p = get(m.end(a, true, false)).orElseThrow();
        assertThat(p.partnerId()).isEqualTo(b);
        assertThat(get(m.pairOf(b))).isEmpty();
        assertThat(get(m.end(b, false, false))).isEmpty();
        // Locks renewed as a live session's are (Redis's clock runs on while a loaded machine answers slowly).
        get(m.lock(a, "s-" + a, false));
        get(m.lock(b, "s-" + b, false));
        assertThat(get(m.join(ticket(a, List.of(), null), "c", "x", "y")).outcome())
                .isEqualTo(JoinResult.Outcome.WAITING);
        assertThat(get(m.join(ticket(b, List.of(), null), "c", "x", "y")).outcome())
                .isEqualTo(JoinResult.Outcome.WAITING);
        pass(SETTINGS.skipCooldown().plusMillis(100));
        get(m.lock(a, "s-" + a, false));
        get(m.lock(b, "s-" + b, false));
        assertThat(get(m.join(ticket(b, List.of(), null), "c", "x", "y")).outcome())
                .isEqualTo(JoinResult.Outcome.MATCHED);
        get(m.end(b, false, true));
        pass(SETTINGS.skipCooldown().plusMillis(100));
        get(m.lock(a, "s-" + a, false));
        get(m.lock(b, "s-" + b, false));
        assertThat(get(m.join(ticket(a, List.of(), null), "c", "x", "y")).outcome())
                .isEqualTo(JoinResult.Outcome.WAITING);
        assertThat(get(m.join(ticket(b, List.of(), null), "c", "x", "y")).outcome())
                .as("a block is forever")
                .isEqualTo(JoinResult.Outcome.WAITING);
    }

    @Test
    void storedBlocks_holdFromTheFirstJoin_aBlockedPairIsNeverMade() throws Exception {
        String a = user("a");
        String b = user("b");
        stored.put(a, Set.of(b));
        Matcher m = node(0, SETTINGS);
        assertThat(lockAndJoin(m, ticket(a, List.of(), null)).outcome()).isEqualTo(JoinResult.Outcome.WAITING);
        assertThat(lockAndJoin(node(1, SETTINGS), ticket(b, List.of(), null)).outcome())
                .as("the block read from the store keeps them apart")
                .isEqualTo(JoinResult.Outcome.WAITING);
        String c = user("c");
        assertThat(lockAndJoin(m, ticket(c, List.of(), null)).outcome()).isEqualTo(JoinResult.Outcome.MATCHED);
    }

    @Test
    void unlock_keepsThePairForTheGrace_aReturnWithinItGetsItBack_andAfterItTheGraceEndsIt() throws Exception {
        Matcher m = node(0, SETTINGS);
        String a = user("a");
        String b = user("b");
        lockAndJoin(m, ticket(a, List.of(), null));
        Pair p = lockAndJoin(node(1, SETTINGS), ticket(b, List.of(), null)).pair();
        assertThat(get(m.unlock(a, "s-" + a))).contains(p.mirror());
        assertThat(get(m.lock(a, "tab2", false)).held()).isTrue();
        JoinResult back = get(m.join(new Ticket(a, "tab2", List.of(), null, false), "other", "x", "y"));
        assertThat(back.outcome()).isEqualTo(JoinResult.Outcome.PAIRED);
        assertThat(back.pair()).isEqualTo(p.mirror());
        assertThat(get(m.endIfAway(a))).as("a is back").isEmpty();
        get(m.unlock(a, "tab2"));
        assertThat(get(m.endIfAway(a))).contains(p.mirror());
        assertThat(get(m.pairOf(b))).isEmpty();
        assertThat(get(m.renew(b, "s-" + b))).isEqualTo(new Renewal(true, null));
    }

    @Test
    void state_expires_aLapsedLockFreesTheUser_andAPartnerWhoseSideExpiredIsReportedByTheRenewal() throws Exception {
        Matcher m = node(0, SETTINGS);
        String a = user("a");
        String b = user("b");
        lockAndJoin(m, ticket(a, List.of(), null));
        Pair p = lockAndJoin(m, ticket(b, List.of(), null)).pair();
        // b's node dies: nothing renews b; a renews on.
        for (int i = 0; i < 4; i++) {
            pass(SETTINGS.lockTtl().dividedBy(3));
            get(m.renew(a, "s-" + a));
        }
        assertThat(get(m.lock(b, "new-tab", false)).held())
                .as("b's lock lapsed")
                .isTrue();
        get(m.unlock(b, "new-tab"));
        pass(SETTINGS.grace().plusMillis(100));
        Renewal r = get(m.renew(a, "s-" + a));
        assertThat(r.held()).isTrue();
        assertThat(r.ended()).isEqualTo(p.mirror());
        assertThat(get(m.pairOf(a))).isEmpty();
    }

    @Test
    void unavailableState_isNeverGuessed_leaveOfAWaitingUserEmptiesTheQueue() throws Exception {
        Matcher m = node(0, SETTINGS);
        String a = user("a");
        lockAndJoin(m, ticket(a, List.of(), null));
        assertThat(get(m.leave(a))).isTrue();
        assertThat(get(m.leave(a))).isFalse();
        assertThat(get(m.counts()).waiting()).isZero();
    }

    /**
     * Item 8: 1,000 users on three nodes join at once, for 20 rounds, with random leaves and skips in between. After
     * each round: every pair is symmetric, no user was matched twice, and no two waiting users are compatible.
     */
    @Test
    void thousandUsersOnThreeNodes_twentyRounds_noDoublePairs_symmetric_noCompatibleUsersLeftWaiting()
            throws Exception {
        Matcher.Settings s = new Matcher.Settings(
                Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(5), 1000);
        List<Matcher> nodes = List.of(node(0, s), node(1, s), node(2, s));
        Random random = new Random(22);
        List<String> users = new ArrayList<>();
        Map<String, Ticket> tickets = new HashMap<>();
        List<String> languages = java.util.Arrays.asList("en", "fr", null);
        List<String> topics = List.of("chess", "films", "music", "hiking");
        for (int i = 0; i < 1000; i++) {
            String u = user("u" + i);
            users.add(u);
            List<String> interests = random.nextInt(3) == 0 ? List.of() : List.of(topics.get(random.nextInt(4)));
            tickets.put(u, new Ticket(u, "s-" + u, interests, languages.get(random.nextInt(3)), false));
        }
        List<CompletableFuture<Lock>> locks = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            locks.add(nodes.get(i % 3).lock(users.get(i), "s-" + users.get(i), false));
        }
        for (CompletableFuture<Lock> l : locks) {
            assertThat(get(l).held()).isTrue();
        }
        Set<String> skipped = new HashSet<>();
        for (int round = 0; round < 20; round++) {
            Map<String, Pair> current = pairs(nodes.get(0), users);
            List<String> joining = new ArrayList<>();
            for (String u : users) {
                if (!current.containsKey(u)) {
                    joining.add(u);
                }
            }
            java.util.Collections.shuffle(joining, random);
            List<CompletableFuture<JoinResult>> joins = new ArrayList<>();
            for (int i = 0; i < joining.size(); i++) {
                String u = joining.get(i);
                joins.add(nodes.get(i % 3).join(tickets.get(u), "c-" + round + "-" + u, "x", "y"));
            }
            Set<String> matchedThisRound = new HashSet<>();
            for (CompletableFuture<JoinResult> f : joins) {
                JoinResult r = get(f);
                if (r.outcome() == JoinResult.Outcome.MATCHED) {
                    assertThat(matchedThisRound.add(r.pair().userId()))
                            .as("matched twice: " + r.pair().userId())
                            .isTrue();
                    assertThat(matchedThisRound.add(r.pair().partnerId()))
                            .as("matched twice: " + r.pair().partnerId())
                            .isTrue();
                }
            }
            Map<String, Pair> after = pairs(nodes.get(1), users);
            for (Pair p : after.values()) {
                assertThat(after.get(p.partnerId())).as("symmetric").isEqualTo(p.mirror());
            }
            List<String> waiting = new ArrayList<>();
            for (String u : joining) {
                if (!after.containsKey(u)) {
                    waiting.add(u);
                }
            }
            for (int i = 0; i < waiting.size(); i++) {
                for (int j = i + 1; j < waiting.size(); j++) {
                    String x = waiting.get(i);
                    String y = waiting.get(j);
                    if (!skipped.contains(key(x, y))) {
                        assertThat(tickets.get(x).compatible(tickets.get(y)))
                                .as("%s and %s are compatible and both waiting after round %d", x, y, round)
                                .isFalse();
                    }
                }
            }
            assertThat(get(nodes.get(2).counts()).waiting()).isEqualTo(waiting.size());
            // Random leaves and skips.
            List<CompletableFuture<?>> moves = new ArrayList<>();
            for (String u : waiting) {
                if (random.nextInt(4) == 0) {
                    moves.add(nodes.get(random.nextInt(3)).leave(u));
                }
            }
            Set<String> ended = new HashSet<>();
            for (Pair p : after.values()) {
                if (ended.contains(p.userId()) || ended.contains(p.partnerId())) {
                    continue;
                }
                int dice = random.nextInt(10);
                if (dice < 3) {
                    ended.add(p.userId());
                    ended.add(p.partnerId());
                    skipped.add(key(p.userId(), p.partnerId()));
                    moves.add(nodes.get(random.nextInt(3)).end(p.userId(), true, false));
                } else if (dice < 5) {
                    ended.add(p.userId());
                    ended.add(p.partnerId());
                    moves.add(nodes.get(random.nextInt(3)).end(p.partnerId(), false, false));
                }
            }
            for (CompletableFuture<?> f : moves) {
                get(f);
            }
        }
    }

    private static String key(String a, String b) {
        return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
    }

    private static Map<String, Pair> pairs(Matcher m, List<String> users) throws Exception {
        List<CompletableFuture<Optional<Pair>>> fs = new ArrayList<>();
        for (String u : users) {
            fs.add(m.pairOf(u));
        }
        Map<String, Pair> out = new HashMap<>();
        for (CompletableFuture<Optional<Pair>> f : fs) {
            get(f).ifPresent(p -> out.put(p.userId(), p));
        }
        return out;
    }
}
