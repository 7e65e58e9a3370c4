package io.parley.server.wire;

import io.parley.server.store.ConversationSummary;
import io.parley.server.store.LogEntry;
import io.parley.server.store.Member;
import io.parley.server.store.MessageView;
import io.parley.server.store.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The JSON shapes of the REST API (docs/api.md "Shapes used below"), built from stored records. */
public final class RestShapes {
    private RestShapes() {}

    public static JsonObject conversation(ConversationSummary c) {
        return new JsonObject()
                .put("id", c.id())
                .put("type", c.kind().wire())
                .put("title", c.title())
                .put("createdBy", c.createdBy())
                .put("createdAt", Frames.time(c.createdAt()))
                .put("lastSeq", c.lastSeq())
                .put("readSeq", c.readSeq())
                .put("unreadCount", c.unreadCount())
                .put("notify", c.notifyLevel().wire())
                .put("lastMessage", c.lastMessage() == null ? null : event(c.lastMessage()))
                .put("members", members(c.members()));
    }

    /** A user as REST shows it: {@code {"userId","username","displayName"}}. */
    public static JsonObject user(User u) {
        return new JsonObject()
                .put("userId", u.id())
                .put("username", u.username())
                .put("displayName", u.displayName());
    }

    public static JsonArray members(List<Member> members) {
        JsonArray a = new JsonArray();
        for (Member m : members) {
            a.add(new JsonObject()
                    .put("userId", m.userId())
                    .put("username", m.username())
                    .put("displayName", m.displayName())
                    .put("role", m.role().wire())
                    .put("joinedAt", Frames.time(m.joinedAt()))
                    .put("readSeq", m.readSeq())
                    .put("deliveredSeq", m.deliveredSeq())
                    .put("joinedSeq", m.joinedSeq()));
        }
        return a;
    }

    /** The WebSocket event frame without its {@code type}: one shape of an event on both faces. */
    public static JsonObject event(LogEntry e) {
        JsonObject o = JsonObject.mapFrom(Frames.event(e));
        o.remove("type");
        return o;
    }

    public static JsonArray receipts(List<Member> members) {
        JsonArray a = new JsonArray();
        for (Member m : members) {
            a.add(new JsonObject()
                    .put("userId", m.userId())
                    .put("deliveredSeq", m.deliveredSeq())
                    .put("readSeq", m.readSeq()));
        }
        return a;
    }

    /** A message in its current state: edits applied, deleted ones as tombstones, reactions, reply snippet. */
    public static JsonObject message(MessageView v) {
        JsonObject o = new JsonObject()
                .put("messageId", v.messageId())
                .put("conversationId", v.conversationId())
                .put("seq", v.seq())
                .put("senderId", v.senderId())
                .put("clientMsgId", v.clientMsgId())
                .put("body", v.body())
                .put("createdAt", Frames.time(v.createdAt()))
                .put("editedAt", v.editedAt() == null ? null : Frames.time(v.editedAt()))
                .put("deleted", v.deleted());
        if (v.replyTo() != null) {
            o.put("replyTo", new JsonObject().put("messageId", v.replyTo()).put("snippet", v.replySnippet()));
        }
        JsonArray reactions = new JsonArray();
        for (MessageView.Reaction r : v.reactions()) {
            reactions.add(new JsonObject()
                    .put("emoji", r.emoji())
                    .put("count", r.count())
                    .put("userIds", new JsonArray(new ArrayList<>(r.userIds()))));
        }
        return o.put("reactions", reactions);
    }
}
