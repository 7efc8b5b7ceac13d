/**
 * JUnit 5 helpers for tests of streaming jobs, on top of {@code io.sparking.runtime}: {@link
 * KafkaBrokerExtension} runs one real Kafka broker on loopback for a test class, {@link
 * OutputCollector} collects what a job's output produced for the test to count, and {@link
 * FailingWriteAheadLog} is a receiver write-ahead log that fails one write mid-stream.
 *
 * <p>Part of the test runtime, not of the connectors a job depends on: the tests of Sparking's
 * modules use it, and users' own tests may.
 */
package io.sparking.testkit;
