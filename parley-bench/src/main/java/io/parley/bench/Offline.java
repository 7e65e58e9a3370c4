package io.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Which members of a group never connect ({@code offline.fraction}): the same number in every group, spread evenly
 * over its positions (Bresenham's rule: position {@code j} of {@code n} is offline when {@code (j+1)k/n > jk/n} in
 * integer arithmetic, with {@code k} the offline members per group), so with 0.5 every second member is offline. The
 * first member, who creates the group, is online unless everyone is offline, which {@link #perGroup} refuses. And
 * their set-up once the groups exist ({@link #setUp}).
 */
final class Offline {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Offline() {}

    /**
     * The offline members of a group of {@code groupSize}: {@code fraction} of them, rounded to the nearest member.
     *
     * @throws IllegalArgumentException when {@code fraction} is outside [0, 1) or would leave nobody online to send
     */
    static int perGroup(double fraction, int groupSize) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("offline.fraction must be at least 0 and below 1, was " + fraction);
        }
        int k = (int) Math.round(fraction * groupSize);
        if (k >= groupSize) {
            throw new IllegalArgumentException("offline.fraction " + fraction + " leaves no member of a group of "
                    + groupSize + " online to send");
        }
        return k;
    }

    /** Whether the member at {@code position} (0 to groupSize-1) of every group is offline. */
    static boolean isOffline(int position, int groupSize, int offlinePerGroup) {
        return (long) (position + 1) * offlinePerGroup / groupSize > (long) position * offlinePerGroup / groupSize;
    }

    /**
     * The offline members' set-up: each sets its group's notify level to {@code all} (a group's default is
     * {@code mentions}, and the bench's messages mention nobody, so without it nobody would be owed a push), with and
     * without devices, so that a run with push off differs from one with push on only in the devices; then, with
     * {@code push}, each registers a Web Push device whose endpoint is {@code push}, in the session its token opened.
     * Returns how many devices were registered (0 without {@code push}).
     */
    static long setUp(ServerRest rest, List<Bench.Conn> offline, WebPushSink push) throws Exception {
        long devicesRegistered = 0;
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Bench.Conn x : offline) {
            all.add(rest.call(
                    "PUT",
                    "/api/v1/conversations/" + x.conversationId + "/notifications",
                    x.token,
                    "{\"level\":\"all\"}"));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        if (push == null) {
            System.out.printf("offline: %d users are members and never connect; no push devices%n", offline.size());
            return 0;
        }
        // The server records a token's session off the answer's path (Authenticator.seen), so a device registered
        // right after the session's first request may find it not yet written (401 session_revoked): those are
        // registered again, a few times, half a second apart.
        List<Bench.Conn> left = offline;
        for (int attempt = 1; !left.isEmpty(); attempt++) {
            List<Bench.Conn> again = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            all.clear();
            for (Bench.Conn x : left) {
                ObjectNode req = JSON.createObjectNode().put("platform", "webpush");
                req.set("subscription", push.subscription(x.user));
                all.add(rest.call("POST", "/api/v1/devices", x.token, req.toString())
                        .handle((body, err) -> {
                            if (err == null) {
                                return null;
                            }
                            if (String.valueOf(err.getMessage()).contains("session_revoked")) {
                                again.add(x);
                            } else {
                                failures.add(err);
                            }
                            return null;
                        }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            if (!failures.isEmpty()) {
                throw new IllegalStateException(
                        failures.size() + " push device registrations failed, the first: " + failures.get(0),
                        failures.get(0));
            }
            if (!again.isEmpty() && attempt >= DEVICE_ATTEMPTS) {
                throw new IllegalStateException(again.size() + " offline users' sessions were still unknown to the"
                        + " server after " + attempt + " attempts to register their push devices");
            }
            devicesRegistered += left.size() - again.size();
            left = again;
            if (!left.isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
        System.out.printf(
                "offline: %d users are members and never connect; %d push devices at the bench's Web Push service"
                        + " (127.0.0.1:%d)%n",
                offline.size(), devicesRegistered, push.port());
        return devicesRegistered;
    }

    /** How many times a push device whose session the server has not written yet is registered. */
    static final int DEVICE_ATTEMPTS = 10;
}
