package io.parley.server.store;

/**
 * Where an attachment is in its life. {@code SLOT}: the upload slot exists, the bytes may not be there yet.
 * {@code PENDING}: finalized (size, type and checksum checked), in quarantine until the scanner says clean.
 * {@code READY}: clean, served to members. {@code REJECTED}: the scanner found something; never served. Members only
 * ever see pending, ready and rejected (an attachment becomes visible when a message refers to it, after finalize).
 */
public enum AttachmentStatus {
    SLOT("slot"),
    PENDING("pending"),
    READY("ready"),
    REJECTED("rejected");

    private final String wire;

    AttachmentStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static AttachmentStatus fromWire(String w) {
        for (AttachmentStatus s : values()) {
            if (s.wire.equals(w)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown attachment status: " + w);
    }
}
