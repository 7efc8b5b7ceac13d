/**
 * Flume events into Spark Streaming: {@link io.sparking.flume.SparkingFlume} creates the streams,
 * {@link io.sparking.flume.PushSettings} and {@link io.sparking.flume.PullSettings} tune them, and
 * each element is a {@link io.sparking.flume.FlumeEvent}. {@link
 * io.sparking.flume.FlumeConnections} gives the same connections without a Spark receiver, to a
 * consumer that stores batches itself (the Structured Streaming source of {@code
 * sparking-flume-sql}).
 *
 * <p>Both receivers acknowledge a Flume batch only after Spark stored it as one block; with the
 * receiver write-ahead log on, an acknowledged event survives a driver failure.
 */
package io.sparking.flume;
