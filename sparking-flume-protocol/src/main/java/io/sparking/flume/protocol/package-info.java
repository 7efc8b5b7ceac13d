/**
 * What both ends of the Flume pull path speak: {@link SparkFlumeProtocol}, the Avro protocol
 * generated from {@code SparkFlumeProtocol.avdl} and wire-compatible with Spark 2.4's {@code
 * SparkSink}; {@link PullClient}, a blocking client of it for tools, the benchmark and tests; and
 * {@link FrameGuard}, which checks Avro frame sizes before avro-ipc buffers them, first in the
 * pipeline of the pull sink's server and of the push receiver.
 *
 * <p>Used by {@code sparking-flume-sink} inside a Flume agent and by {@code sparking-flume} and
 * {@code sparking-flume-sql} inside Spark; Avro and Netty come from whichever of them loads it. A
 * job does not call it: it reads events through {@code io.sparking.flume.SparkingFlume}.
 */
package io.sparking.flume.protocol;
