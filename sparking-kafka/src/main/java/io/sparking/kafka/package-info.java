/**
 * Kafka records into Spark Streaming: {@link SparkingKafka} creates the streams (a reliable
 * receiver, one receiver per topic, or a direct stream), {@link KafkaSettings} says what they read
 * and how, and each element is a {@link KafkaRecord} with its {@link KafkaHeader}s. {@link
 * KafkaDirectStream} commits a direct stream's offsets after each batch's output succeeded; {@link
 * KafkaPreflight} and {@link BootstrapServers} check brokers and topics before a job starts, so a
 * wrong address fails at once with a message.
 *
 * <p>The receiver commits a partition's offsets only after Spark stored the block holding its
 * records; with the receiver write-ahead log on, a committed record survives a driver failure.
 */
package io.sparking.kafka;
