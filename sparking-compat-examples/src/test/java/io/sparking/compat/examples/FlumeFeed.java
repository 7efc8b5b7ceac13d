package io.sparking.compat.examples;

import io.sparking.runtime.FlumeAgent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flume.Event;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;

/**
 * Real Flume 1.11 agents for the example jobs, fed through their avro source with Flume's own RPC
 * client.
 */
final class FlumeFeed {
  static final String SOURCE_PORT = "SOURCE_PORT";
  static final String SINK_PORT = "SINK_PORT";

  private FlumeFeed() {}

  /** An agent whose standard avro sink sends to a push receiver on {@code receiverPort}. */
  static FlumeAgent avroSinkTo(int receiverPort) {
    return FlumeAgent.builder()
        .configuration(
            FlumeAgent.avroSourceIntoMemoryChannel(1000)
                + String.join(
                    "\n",
                    "a1.sinks.k1.type = avro",
                    "a1.sinks.k1.hostname = 127.0.0.1",
                    "a1.sinks.k1.port = " + receiverPort,
                    "a1.sinks.k1.batch-size = 100",
                    "a1.sinks.k1.connect-timeout = 5000",
                    "a1.sinks.k1.request-timeout = 20000",
                    ""))
        .listenPort(SOURCE_PORT)
        .start();
  }

  /**
   * An agent whose pull sink serves on {@link #SINK_PORT}: Sparking's, or Spark 2.4.8's {@code
   * SparkSink}.
   */
  static FlumeAgent pullSink(boolean spark248) {
    String type =
        spark248
            ? "org.apache.spark.streaming.flume.sink.SparkSink"
            : "io.sparking.flume.sink.SparkingSink";
    return FlumeAgent.builder()
        .runtime(spark248 ? FlumeAgent.Runtime.SPARKSINK_248 : FlumeAgent.Runtime.SPARKING)
        .configuration(
            FlumeAgent.avroSourceIntoMemoryChannel(1000)
                + String.join(
                    "\n",
                    "a1.sinks.k1.type = " + type,
                    "a1.sinks.k1.hostname = 127.0.0.1",
                    "a1.sinks.k1.port = ${SINK_PORT}",
                    "a1.sinks.k1.timeout = 30",
                    ""))
        .listenPort(SOURCE_PORT)
        .listenPort(SINK_PORT)
        .start();
  }

  /** The bodies {@code <sender>-<i>}, zero-padded, for i in [0, count). */
  static List<String> bodies(String sender, int count) {
    List<String> bodies = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      bodies.add(String.format("%s-%09d", sender, i));
    }
    return bodies;
  }

  /**
   * Sends {@link #bodies} of {@code sender}, each with header {@code sender}, to the agent's avro
   * source.
   */
  static void feed(FlumeAgent agent, String sender, int count) throws Exception {
    RpcClient client =
        RpcClientFactory.getDefaultInstance("127.0.0.1", agent.port(SOURCE_PORT), 500);
    try {
      List<Event> batch = new ArrayList<>();
      for (String body : bodies(sender, count)) {
        batch.add(
            EventBuilder.withBody(body.getBytes(StandardCharsets.UTF_8), Map.of("sender", sender)));
        if (batch.size() == 500) {
          client.appendBatch(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        client.appendBatch(batch);
      }
    } finally {
      client.close();
    }
  }
}
