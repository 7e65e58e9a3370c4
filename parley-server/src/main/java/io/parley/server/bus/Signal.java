package io.parley.server.bus;

import io.parley.protocol.ServerFrame;
import java.util.List;

/**
 * An ephemeral frame for some users' sessions (receipts, typing): not part of any log, never stored, not replayed.
 * Each node encodes it once and sends the same text to every local session of every recipient.
 */
public record Signal(List<String> recipients, ServerFrame frame) {}
