package io.sparking.flume.sql;

import io.sparking.runtime.FlumeAgent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flume.Event;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;

/**
 * Real Flume 1.11 agents for the source's tests: an avro source on {@link #SOURCE_PORT} fed with
 * Flume's RPC client, a memory channel, and a pull sink on {@link #SINK_PORT} or an avro sink
 * sending to {@link #RECEIVER_PORT}.
 */
final class TestAgents {
  static final String SOURCE_PORT = "SOURCE_PORT";
  static final String SINK_PORT = "SINK_PORT";
  static final String RECEIVER_PORT = "RECEIVER_PORT";

  private TestAgents() {}

  /** An agent whose Sparking pull sink serves on {@link #SINK_PORT}. */
  static FlumeAgent sparkingPullSink() {
    return sparkingPullSink(10);
  }

  /**
   * An agent whose Sparking pull sink serves on {@link #SINK_PORT} and rolls back a batch not
   * acknowledged within {@code timeoutSeconds}.
   */
  static FlumeAgent sparkingPullSink(int timeoutSeconds) {
    return FlumeAgent.builder()
        .configuration(
            FlumeAgent.avroSourceIntoMemoryChannel(1000)
                + String.join(
                    "\n",
                    "a1.sinks.k1.type = io.sparking.flume.sink.SparkingSink",
                    "a1.sinks.k1.hostname = 127.0.0.1",
                    "a1.sinks.k1.port = ${SINK_PORT}",
                    "a1.sinks.k1.batchWait = 500",
                    "a1.sinks.k1.timeout = " + timeoutSeconds,
                    ""))
        .listenPort(SOURCE_PORT)
        .listenPort(SINK_PORT)
        .start();
  }

  /**
   * An agent whose avro source puts into a file channel under {@code dataDir} (so an event it
   * accepted survives a SIGKILL) that the Sparking pull sink on {@link #SINK_PORT} drains.
   */
  static FlumeAgent sparkingPullSinkOnFileChannel(java.nio.file.Path dataDir) {
    return FlumeAgent.builder()
        .configuration(
            String.join(
                "\n",
                "a1.sources = r1",
                "a1.channels = c1",
                "a1.sinks = k1",
                "a1.sources.r1.type = avro",
                "a1.sources.r1.bind = 127.0.0.1",
                "a1.sources.r1.port = ${SOURCE_PORT}",
                "a1.sources.r1.channels = c1",
                fileChannel(dataDir),
                "a1.sinks.k1.channel = c1",
                "a1.sinks.k1.type = io.sparking.flume.sink.SparkingSink",
                "a1.sinks.k1.hostname = 127.0.0.1",
                "a1.sinks.k1.port = ${SINK_PORT}",
                "a1.sinks.k1.batchWait = 500",
                "a1.sinks.k1.timeout = 10",
                ""))
        .listenPort(SOURCE_PORT)
        .listenPort(SINK_PORT)
        .start();
  }

  /** An agent whose Spark 2.4.8 {@code SparkSink} serves on {@link #SINK_PORT}. */
  static FlumeAgent spark248PullSink() {
    return FlumeAgent.builder()
        .runtime(FlumeAgent.Runtime.SPARKSINK_248)
        .configuration(
            FlumeAgent.avroSourceIntoMemoryChannel(1000)
                + String.join(
                    "\n",
                    "a1.sinks.k1.type = org.apache.spark.streaming.flume.sink.SparkSink",
                    "a1.sinks.k1.hostname = 127.0.0.1",
                    "a1.sinks.k1.port = ${SINK_PORT}",
                    "a1.sinks.k1.threads = 10",
                    "a1.sinks.k1.timeout = 30",
                    ""))
        .listenPort(SOURCE_PORT)
        .listenPort(SINK_PORT)
        .start();
  }

  /** An agent whose standard avro sink sends batches of 100 to {@link #RECEIVER_PORT}. */
  static FlumeAgent avroSink() {
    return FlumeAgent.builder()
        .configuration(
            FlumeAgent.avroSourceIntoMemoryChannel(1000)
                + String.join(
                    "\n",
                    "a1.sinks.k1.type = avro",
                    "a1.sinks.k1.hostname = 127.0.0.1",
                    "a1.sinks.k1.port = ${RECEIVER_PORT}",
                    "a1.sinks.k1.batch-size = 100",
                    "a1.sinks.k1.connect-timeout = 5000",
                    "a1.sinks.k1.request-timeout = 20000",
                    ""))
        .listenPort(SOURCE_PORT)
        .port(RECEIVER_PORT)
        .start();
  }

  /**
   * An agent whose avro source stamps each event with an id in header {@code eventId} ({@code
   * EventIdInterceptor}), into a memory channel or, with {@code fileChannelDir}, a file channel
   * under it (an event it accepted survives a SIGKILL), that a standard avro sink drains in batches
   * of 100 to {@link #RECEIVER_PORT}, waiting {@code requestTimeoutMillis} for each answer.
   */
  static FlumeAgent avroSinkWithIds(java.nio.file.Path fileChannelDir, int requestTimeoutMillis) {
    String channel =
        fileChannelDir == null
            ? String.join(
                "\n",
                "a1.channels.c1.type = memory",
                "a1.channels.c1.capacity = 100000",
                "a1.channels.c1.transactionCapacity = 1000",
                "a1.channels.c1.keep-alive = 1")
            : fileChannel(fileChannelDir);
    return FlumeAgent.builder()
        .configuration(
            String.join(
                "\n",
                "a1.sources = r1",
                "a1.channels = c1",
                "a1.sinks = k1",
                "a1.sources.r1.type = avro",
                "a1.sources.r1.bind = 127.0.0.1",
                "a1.sources.r1.port = ${SOURCE_PORT}",
                "a1.sources.r1.channels = c1",
                "a1.sources.r1.interceptors = id",
                "a1.sources.r1.interceptors.id.type ="
                    + " io.sparking.flume.sink.EventIdInterceptor$Builder",
                channel,
                "a1.sinks.k1.channel = c1",
                "a1.sinks.k1.type = avro",
                "a1.sinks.k1.hostname = 127.0.0.1",
                "a1.sinks.k1.port = ${RECEIVER_PORT}",
                "a1.sinks.k1.batch-size = 100",
                "a1.sinks.k1.connect-timeout = 5000",
                "a1.sinks.k1.request-timeout = " + requestTimeoutMillis,
                ""))
        .listenPort(SOURCE_PORT)
        .port(RECEIVER_PORT)
        .start();
  }

  /** Ids {@code <prefix>-<first>} .. {@code <prefix>-<first+count-1>}. */
  static List<String> ids(String prefix, int first, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = first; i < first + count; i++) {
      ids.add(prefix + "-" + i);
    }
    return ids;
  }

  /** Sends each id as the body of one event (header {@code id} the same) to the avro source. */
  static void feed(FlumeAgent agent, List<String> ids) throws Exception {
    Properties props = new Properties();
    props.setProperty("client.type", "default");
    props.setProperty("hosts", "h1");
    props.setProperty("hosts.h1", "127.0.0.1:" + agent.port(SOURCE_PORT));
    props.setProperty("batch-size", "500");
    props.setProperty("connect-timeout", "10000");
    props.setProperty("request-timeout", "20000");
    RpcClient client = RpcClientFactory.getInstance(props);
    try {
      for (int i = 0; i < ids.size(); i += 500) {
        List<Event> batch = new ArrayList<>();
        for (String id : ids.subList(i, Math.min(ids.size(), i + 500))) {
          batch.add(EventBuilder.withBody(id.getBytes(StandardCharsets.UTF_8), Map.of("id", id)));
        }
        client.appendBatch(batch);
      }
    } finally {
      client.close();
    }
  }

  /** Channel c1 as a file channel under {@code dir}: what it accepted survives a SIGKILL. */
  private static String fileChannel(java.nio.file.Path dir) {
    return String.join(
        "\n",
        "a1.channels.c1.type = file",
        "a1.channels.c1.checkpointDir = " + dir.resolve("checkpoint"),
        "a1.channels.c1.dataDirs = " + dir.resolve("data"),
        "a1.channels.c1.transactionCapacity = 1000");
  }
}
