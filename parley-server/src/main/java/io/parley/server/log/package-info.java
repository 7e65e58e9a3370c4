/**
 * The process's log lines: JSON lines or readable text on stderr ({@link LogSetup}, applied by {@code Main}), levels
 * per logger, and the structured events other parts write through {@link Log}: requests ({@link AccessLog}), auth
 * failures ({@link AuthLog}), admin actions ({@link AdminLog}) and sampled deliveries ({@link DeliveryLog}).
 * Everything logs through java.util.logging (SLF4J's loggers are bound to it), so every line of every library comes
 * out in the same format.
 * <p>
 * Ground floor (rung 1): imports nothing of the server, only the JDK and the protocol module.
 */
package io.parley.server.log;
