/**
 * The Flume sink that Spark receivers pull from: {@link SparkingSink}, configured in a Flume
 * agent's properties ({@code type = io.sparking.flume.sink.SparkingSink}) with the settings of
 * {@link SparkingSinkConfig}. It hands out batches of events, each in a channel transaction that a
 * receiver's ack commits and a nack, a timeout or a stop rolls back, so no event leaves the channel
 * before a receiver stored it. It speaks Spark 2.4's {@code SparkSink} protocol, so Sparking's pull
 * receivers and Spark 2.4's alike pull from it.
 *
 * <p>Runs inside a Flume agent, installed as a plugin (README), not in a Spark job.
 */
package io.sparking.flume.sink;
