/**
 * Time and the threads that wait: the {@link io.parley.server.time.Scheduler} seam (one-shot and periodic tasks and
 * the clock they run on), its production implementation on a named thread ({@code ExecutorScheduler}), and
 * {@code NodeTimers}, which hands a node's parts their schedulers (a thread each in production, one manual scheduler
 * in tests). The Vert.x-timer implementation lives with the gateway, the only part that needs an event loop's timers;
 * the manual one is a test fixture (src/test).
 * <p>
 * Ground floor (rung 1): imports nothing of the server, only the JDK, SLF4J and the protocol module.
 */
package io.parley.server.time;
