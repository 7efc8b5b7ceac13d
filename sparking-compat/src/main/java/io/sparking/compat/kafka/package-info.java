/**
 * Spark 2.4's receiver-based Kafka API ({@code KafkaUtils.createStream} of kafka-0-8) over
 * Sparking's reliable receiver: {@link KafkaUtils}. For Spark 2.4 jobs that move to Spark 3.5 or
 * 4.x by changing their imports: the ZooKeeper-based calls find the brokers in ZooKeeper and import
 * the offsets the 0.8 consumer kept there, once; the stream gives (key, value) pairs decoded by the
 * job's deserializers, as it did. New code uses {@code io.sparking.kafka.SparkingKafka}. What
 * differs from Spark 2.4 is in docs/migration.md.
 */
package io.sparking.compat.kafka;
