package io.parley.server.store;

/**
 * One entry of the revocation log every node reads ({@link SessionStore#revocationsSince}): what it must refuse from
 * {@code at} on and which live connections it must close.
 *
 * @param id the log's own order (per store; with several writers on PostgreSQL not strictly commit order, so readers
 *     re-read a window by {@code at} and drop ids they have seen)
 * @param kind what {@code target} names
 * @param target a session id ({@link Kind#SESSION}) or a user id ({@link Kind#USER}, {@link Kind#BAN})
 * @param userId the user the revocation concerns (for a session: its owner)
 * @param at epoch millis
 */
public record Revocation(long id, Kind kind, String target, String userId, long at) {
    public enum Kind {
        /** One session: its tokens are refused, its connections closed (4003). */
        SESSION("session"),
        /** Every token of the user issued before {@code at} is refused, and their connections closed (4003). */
        USER("user"),
        /** The user was banned: the node re-reads its ban list and closes the user's connections (4001). */
        BAN("ban");

        private final String column;

        Kind(String column) {
            this.column = column;
        }

        public String column() {
            return column;
        }

        public static Kind of(String column) {
            for (Kind k : values()) {
                if (k.column.equals(column)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown revocation kind " + column);
        }
    }
}
