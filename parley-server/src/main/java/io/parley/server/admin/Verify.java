package io.parley.server.admin;

import io.parley.server.store.jdbc.StoreCheck;
import java.util.Map;
import java.util.StringJoiner;

/** verify: the read-only self-check of {@link StoreCheck}, reported on stdout; exit 0 when clean, 1 when not. */
final class Verify {
    private Verify() {}

    static int run(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(0, "no operands");
        StoreCheck.Report report;
        try (StoreCheck check = Stores.check(ctx.config())) {
            report = check.verify();
        }
        ctx.out().println("verify " + Stores.describe(ctx.config()) + ", schema version " + report.schemaVersion());
        StringJoiner counts = new StringJoiner(", ");
        for (Map.Entry<String, Long> c : report.counts().entrySet()) {
            counts.add(c.getKey() + " " + c.getValue());
        }
        if (counts.length() > 0) {
            ctx.out().println(counts);
        }
        for (String problem : report.problems()) {
            ctx.out().println("PROBLEM " + problem);
        }
        if (report.moreProblems() > 0) {
            ctx.out().println("PROBLEM ... and " + report.moreProblems() + " more");
        }
        long total = report.problems().size() + report.moreProblems();
        ctx.out()
                .println(
                        report.clean()
                                ? "OK: seqs contiguous, messages, members and receipt cursors consistent"
                                : total + " problem(s) found");
        Admin.log("verify", Stores.describe(ctx.config()), "problems", total);
        return report.clean() ? Admin.OK : Admin.FAILED;
    }
}
