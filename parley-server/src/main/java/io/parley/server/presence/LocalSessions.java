package io.parley.server.presence;

import java.util.Map;

/** The sessions of this node, as presence needs them. Implemented by the gateway's session registry. */
public interface LocalSessions {

    /** Every live session of this node: session id to user id. */
    Map<String, String> sessions();

    /** True when the user has a session on this node. */
    boolean hasUser(String userId);

    /** Sends an encoded frame to every session of the user on this node (ephemeral: dropped while a session syncs). */
    void sendTo(String userId, byte[] frame);
}
