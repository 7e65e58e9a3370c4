package io.parley.bench;

/**
 * Which members of a group never connect ({@code offline.fraction}): the same number in every group, spread evenly
 * over its positions (Bresenham's rule: position {@code j} of {@code n} is offline when {@code (j+1)k/n > jk/n} in
 * integer arithmetic, with {@code k} the offline members per group), so with 0.5 every second member is offline. The
 * first member, who creates the group, is online unless everyone is offline, which {@link #perGroup} refuses.
 */
final class Offline {
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
}
