package io.parley.server.scan;

import java.io.IOException;
import java.io.InputStream;

/**
 * Looks at an attachment's bytes before anyone but its uploader may have them.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #scan} reads the stream to its end (or until it has a verdict) and returns {@link Verdict#clean()} or
 *       an infection with the signature's name. It never answers clean when it could not look: a scanner that is down,
 *       too slow or answers something unknown throws {@link IOException}, and the attachment stays pending (fail
 *       closed) to be scanned again.</li>
 *   <li>It blocks: call it from a worker thread, never an event loop. It may be called from several threads at
 *       once.</li>
 * </ul>
 */
public interface Scanner {
    Verdict scan(InputStream in) throws IOException;

    /** The name the metrics and logs give this scanner. */
    String name();

    /** Clean, or infected with {@code signature}. */
    record Verdict(boolean infected, String signature) {
        public static Verdict clean() {
            return new Verdict(false, null);
        }

        public static Verdict infected(String signature) {
            return new Verdict(true, signature);
        }
    }

    /** {@code attachments.scanner=none}: no scanning, every file is clean (for tests and trusted deployments). */
    Scanner NONE = new Scanner() {
        @Override
        public Verdict scan(InputStream in) {
            return Verdict.clean();
        }

        @Override
        public String name() {
            return "none";
        }
    };
}
