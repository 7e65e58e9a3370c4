/**
 * TLS on the node's listener: the PEM certificate chain and key it serves ({@code ServedCertificate}: read, checked to
 * be a pair, turned into the server's SSL options) and {@code CertificateReloader}, which reads both files again on
 * the node's {@code time.Scheduler} and hands a renewed pair to the running HTTP servers without a restart.
 * <p>
 * Rung 3: imports only the ground floor ({@code config}, {@code time}), Vert.x and the JDK.
 */
package io.parley.server.tls;
