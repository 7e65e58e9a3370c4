package io.parley.server.api;

import static io.parley.server.api.Http.respond;

import io.parley.server.stranger.StrangerService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Talk to a stranger over REST: the online and waiting counts (the matching itself is on the WebSocket, where the
 * pair lives). Behind the same token check as every /api/v1 route: mounted after {@link RestApi#mount}.
 */
public final class MatchApi {
    private final StrangerService strangers;

    public MatchApi(StrangerService strangers) {
        this.strangers = strangers;
    }

    public void mount(Router router) {
        router.get("/api/v1/match/stats")
                .handler(ctx -> respond(
                        ctx,
                        strangers.counts(),
                        c -> Http.json(
                                ctx,
                                200,
                                new JsonObject().put("online", c.online()).put("waiting", c.waiting()))));
    }
}
