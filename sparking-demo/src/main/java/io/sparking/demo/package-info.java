/**
 * What {@code ./sparking} runs: {@link Launcher}, its main class, gives every job of {@code
 * sparking-jobs} and the demo ({@code ./sparking demo [kafka|flume]}), which starts real sources on
 * loopback (a Kafka broker, or two Flume agents), feeds them sample text and runs two jobs against
 * them in JVMs of their own, then stops everything without losing a line. For people trying
 * Sparking on one machine; nothing depends on it.
 */
package io.sparking.demo;
