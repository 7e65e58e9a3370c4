package io.parley.server.tls;

/** A certificate or key that cannot be served; the message names the file and the config key. */
public final class TlsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsException(String message) {
        super(message);
    }
}
