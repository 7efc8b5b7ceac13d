package io.sparking.flume;

import io.sparking.runtime.FlumeAgent;
import java.util.List;

/**
 * Real Flume 1.11 agents for the tests: an {@code avro} source on {@link #SOURCE_PORT} that tests
 * feed with Flume's RPC client, a memory channel, and the sink under test.
 */
public final class Agents {
  /** Placeholder of the avro source's port: tests send events there. */
  public static final String SOURCE_PORT = "SOURCE_PORT";

  /** Placeholder of the pull sink's port: receivers pull from there. */
  public static final String SINK_PORT = "SINK_PORT";

  /** Placeholder of the push receiver's port, where the agent's avro sink sends. */
  public static final String RECEIVER_PORT = "RECEIVER_PORT";

  private static final String SOURCE_AND_CHANNEL = FlumeAgent.avroSourceIntoMemoryChannel(1000);

  private Agents() {}

  /**
   * Sends {@code count} events of {@code sender} (see {@link FlumeClients#events}) to the agent's
   * avro source.
   */
  public static void feed(FlumeAgent agent, String sender, int count) throws Exception {
    try (FlumeClients.Sender client =
        FlumeClients.client(agent.port(SOURCE_PORT), 500, java.util.Map.of())) {
      client.sendAll(FlumeClients.events(sender, 0, count));
    }
  }

  /** An agent whose Sparking pull sink serves on {@link #SINK_PORT}. */
  public static FlumeAgent sparkingPullSink() {
    return sparkingPullSink(30);
  }

  /**
   * An agent whose Sparking pull sink serves on {@link #SINK_PORT} and rolls back a batch that got
   * no ack within {@code timeoutSeconds}.
   */
  public static FlumeAgent sparkingPullSink(int timeoutSeconds) {
    return FlumeAgent.builder()
        .configuration(
            SOURCE_AND_CHANNEL
                + String.join(
                    "\n",
                    List.of(
                        "a1.sinks.k1.type = io.sparking.flume.sink.SparkingSink",
                        "a1.sinks.k1.hostname = 127.0.0.1",
                        "a1.sinks.k1.port = ${SINK_PORT}",
                        "a1.sinks.k1.batchWait = 500",
                        "a1.sinks.k1.timeout = " + timeoutSeconds,
                        "")))
        .listenPort(SOURCE_PORT)
        .listenPort(SINK_PORT)
        .start();
  }

  /** An agent whose Spark 2.4.8 {@code SparkSink} serves on {@link #SINK_PORT}. */
  public static FlumeAgent spark248PullSink() {
    return FlumeAgent.builder()
        .runtime(FlumeAgent.Runtime.SPARKSINK_248)
        .configuration(
            SOURCE_AND_CHANNEL
                + String.join(
                    "\n",
                    List.of(
                        "a1.sinks.k1.type = org.apache.spark.streaming.flume.sink.SparkSink",
                        "a1.sinks.k1.hostname = 127.0.0.1",
                        "a1.sinks.k1.port = ${SINK_PORT}",
                        "a1.sinks.k1.threads = 10",
                        "a1.sinks.k1.timeout = 30",
                        "")))
        .listenPort(SOURCE_PORT)
        .listenPort(SINK_PORT)
        .start();
  }

  /**
   * An agent whose standard avro sink sends batches of 100 over SSL to a push receiver on {@code
   * receiverPort}, trusting the certificates in {@code truststore} (PKCS12, {@code password}).
   */
  public static FlumeAgent sslAvroSinkTo(
      int receiverPort, java.nio.file.Path truststore, String password) {
    return FlumeAgent.builder()
        .configuration(
            SOURCE_AND_CHANNEL
                + String.join(
                    "\n",
                    List.of(
                        "a1.sinks.k1.type = avro",
                        "a1.sinks.k1.hostname = 127.0.0.1",
                        "a1.sinks.k1.port = " + receiverPort,
                        "a1.sinks.k1.batch-size = 100",
                        "a1.sinks.k1.connect-timeout = 5000",
                        "a1.sinks.k1.request-timeout = 20000",
                        "a1.sinks.k1.ssl = true",
                        "a1.sinks.k1.truststore = " + truststore,
                        "a1.sinks.k1.truststore-password = " + password,
                        "a1.sinks.k1.truststore-type = PKCS12",
                        "")))
        .listenPort(SOURCE_PORT)
        .start();
  }

  /**
   * An agent whose standard avro sink sends batches of 100 to a push receiver on {@link
   * #RECEIVER_PORT}.
   */
  public static FlumeAgent avroSinkTo(String compressionType) {
    return FlumeAgent.builder()
        .configuration(
            SOURCE_AND_CHANNEL
                + String.join(
                    "\n",
                    List.of(
                        "a1.sinks.k1.type = avro",
                        "a1.sinks.k1.hostname = 127.0.0.1",
                        "a1.sinks.k1.port = ${RECEIVER_PORT}",
                        "a1.sinks.k1.batch-size = 100",
                        "a1.sinks.k1.connect-timeout = 5000",
                        "a1.sinks.k1.request-timeout = 20000",
                        "a1.sinks.k1.compression-type = " + compressionType,
                        "")))
        .listenPort(SOURCE_PORT)
        .port(RECEIVER_PORT)
        .start();
  }
}
