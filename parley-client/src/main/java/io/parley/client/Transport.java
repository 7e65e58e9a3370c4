package io.parley.client;

import java.net.URI;
import java.util.concurrent.Executor;

/**
 * Opens socket attempts. Contract: {@code open} returns at once; whatever follows (open, each text message, the end,
 * exactly once) is reported to {@code events} through {@code exec}, never on the caller's stack. A connect that
 * fails ends the attempt with 1006. The default is {@link JdkTransport}; tests pass a fake.
 */
interface Transport {
    Connection open(URI target, Executor exec, Connection.Events events);
}
