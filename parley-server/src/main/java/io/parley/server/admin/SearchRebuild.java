package io.parley.server.admin;

import io.parley.server.search.SearchIndex;
import io.parley.server.store.jdbc.JdbcChatStore;

/**
 * search-rebuild: the online rebuild of the search index. Queues every message of the store on the search backlog;
 * the running nodes' indexers work through it (each message replaced in place, so searches keep answering from the
 * old entries meanwhile). {@code --wait}: this command indexes the backlog itself until it is empty (for a store no
 * node runs on, or to know when the rebuild is done).
 */
final class SearchRebuild {
    private static final int BATCH = 500;

    private SearchRebuild() {}

    static void run(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(0, "no operands");
        boolean wait = ctx.args().flag("wait");
        try (JdbcChatStore store = Stores.open(ctx.config(), false)) {
            SearchIndex index = store.searchIndex();
            long queued = Stores.await(index.queueAll());
            long backlog = Stores.await(index.backlog());
            ctx.out().println("queued " + queued + " message(s) for indexing; backlog " + backlog);
            long indexed = 0;
            if (wait) {
                int n;
                do {
                    n = Stores.await(index.indexQueued(BATCH));
                    indexed += n;
                } while (n > 0);
                ctx.out().println("indexed " + indexed + " message(s); backlog " + Stores.await(index.backlog()));
            } else {
                ctx.out().println("the running nodes index the backlog (search.indexing); --wait to index it here");
            }
            Admin.log("search_rebuild", Stores.describe(ctx.config()), "queued", queued, "indexed", indexed);
        }
    }
}
