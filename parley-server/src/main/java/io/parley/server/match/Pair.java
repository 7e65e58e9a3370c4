package io.parley.server.match;

/**
 * One side of a pair as {@code userId} sees it: the partner, the stranger conversation's id (chosen by the node
 * that made the pair, before the conversation exists) and the two pseudonyms, which say nothing of the accounts.
 */
public record Pair(String userId, String partnerId, String conversationId, String alias, String partnerAlias) {

    /** The pair as the partner sees it. */
    public Pair mirror() {
        return new Pair(partnerId, userId, conversationId, partnerAlias, alias);
    }
}
