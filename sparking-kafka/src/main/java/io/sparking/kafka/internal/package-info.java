/**
 * The streams behind {@link io.sparking.kafka.SparkingKafka}: the {@link ReliableKafkaReceiver} and
 * its consumer threads, how its records are packed into blocks ({@link KafkaRecordFormat}), a
 * direct stream's commit bookkeeping ({@link DirectCommits}, {@link CommitGate}), and the messages
 * for authentication failures ({@link SecurityErrors}). Not an API: anything here may change in any
 * release, and only {@code sparking-kafka} uses it.
 */
package io.sparking.kafka.internal;
