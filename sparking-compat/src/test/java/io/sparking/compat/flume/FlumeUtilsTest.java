package io.sparking.compat.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.compat.CompatStreams;
import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FreePorts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flume.Event;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.apache.flume.source.avro.AvroFlumeEvent;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every overload of {@link FlumeUtils}, Scala and Java, side by side in one streaming context: the
 * push ones fed by Flume's RPC client (deflate for the decompressing ones), the pull ones draining
 * one real agent whose source replicates each event into a channel per sink. Each stream gets every
 * event exactly once, with its headers.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
@Tag("every-line")
class FlumeUtilsTest {
  private static final int EVENTS = 500;
  private static final int PULL_SINKS = 8;

  @Test
  void everyPushOverloadReceivesEveryEventOnce() throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ports.add(FreePorts.next());
    }
    StorageLevel level = StorageLevel.MEMORY_AND_DISK_SER_2();
    try (CompatStreams streams = CompatStreams.create()) {
      var jssc = streams.jssc();
      var ssc = jssc.ssc();
      streams.collect("scala", scala(FlumeUtils.createStream(ssc, "127.0.0.1", ports.get(0))));
      streams.collect(
          "scala level", scala(FlumeUtils.createStream(ssc, "127.0.0.1", ports.get(1), level)));
      streams.collect(
          "scala deflate",
          scala(FlumeUtils.createStream(ssc, "127.0.0.1", ports.get(2), level, true)));
      streams.collect(
          "java",
          FlumeUtils.createStream(jssc, "127.0.0.1", ports.get(3)).map(FlumeUtilsTest::line));
      streams.collect(
          "java level",
          FlumeUtils.createStream(jssc, "127.0.0.1", ports.get(4), level)
              .map(FlumeUtilsTest::line));
      streams.collect(
          "java deflate",
          FlumeUtils.createStream(jssc, "127.0.0.1", ports.get(5), level, true)
              .map(FlumeUtilsTest::line));
      streams.start();
      for (int i = 0; i < ports.size(); i++) {
        send(ports.get(i), i == 2 || i == 5);
      }
      assertEveryEventOnce(streams.awaitAndStop(EVENTS), 6);
    }
  }

  @Test
  void everyPollingOverloadPullsEveryEventOnce() throws Exception {
    try (FlumeAgent agent = replicatingPullAgent()) {
      List<InetSocketAddress> sinks = new ArrayList<>();
      for (int i = 1; i <= PULL_SINKS; i++) {
        sinks.add(new InetSocketAddress("127.0.0.1", agent.port("SINK_PORT_" + i)));
      }
      StorageLevel level = StorageLevel.MEMORY_AND_DISK_SER_2();
      try (CompatStreams streams = CompatStreams.create()) {
        var jssc = streams.jssc();
        var ssc = jssc.ssc();
        streams.collect(
            "scala",
            scala(FlumeUtils.createPollingStream(ssc, "127.0.0.1", sinks.get(0).getPort())));
        streams.collect(
            "scala level",
            scala(FlumeUtils.createPollingStream(ssc, "127.0.0.1", sinks.get(1).getPort(), level)));
        streams.collect(
            "scala addresses",
            scala(FlumeUtils.createPollingStream(ssc, scalaSeq(sinks.get(2)), level)));
        streams.collect(
            "scala addresses batch",
            scala(FlumeUtils.createPollingStream(ssc, scalaSeq(sinks.get(3)), level, 100, 2)));
        streams.collect(
            "java",
            FlumeUtils.createPollingStream(jssc, "127.0.0.1", sinks.get(4).getPort())
                .map(FlumeUtilsTest::line));
        streams.collect(
            "java level",
            FlumeUtils.createPollingStream(jssc, "127.0.0.1", sinks.get(5).getPort(), level)
                .map(FlumeUtilsTest::line));
        streams.collect(
            "java addresses",
            FlumeUtils.createPollingStream(jssc, new InetSocketAddress[] {sinks.get(6)}, level)
                .map(FlumeUtilsTest::line));
        streams.collect(
            "java addresses batch",
            FlumeUtils.createPollingStream(
                    jssc, new InetSocketAddress[] {sinks.get(7)}, level, 100, 2)
                .map(FlumeUtilsTest::line));
        streams.start();
        send(agent.port("SOURCE_PORT"), false);
        assertEveryEventOnce(streams.awaitAndStop(EVENTS), PULL_SINKS);
      }
    }
  }

  @Test
  void refusesInvalidPullParametersNamingSpark24sParameter() {
    try (CompatStreams streams = CompatStreams.create()) {
      var jssc = streams.jssc();
      InetSocketAddress[] sink = {new InetSocketAddress("127.0.0.1", 9999)};
      assertThatThrownBy(
              () -> FlumeUtils.createPollingStream(jssc, sink, StorageLevel.MEMORY_ONLY(), 0, 5))
          .hasMessage(
              "maxBatchSize=0 is below 1: pass the most events one pull may return, such as 1000");
      assertThatThrownBy(
              () -> FlumeUtils.createPollingStream(jssc, sink, StorageLevel.MEMORY_ONLY(), 10, 0))
          .hasMessage(
              "parallelism=0 is below 1: pass the number of connections to each agent, such as 5");
      assertThatThrownBy(() -> FlumeUtils.createPollingStream(jssc, "127.0.0.1", 9999, null))
          .hasMessageStartingWith("storageLevel=null is missing: ");
    }
  }

  @Test
  void sparkFlumeEventSerializesWithItsHeadersAndBody() throws Exception {
    SparkFlumeEvent event =
        SparkFlumeEvent.fromAvroFlumeEvent(
            new AvroFlumeEvent(
                Map.of("host", "web-1", "é", "ü".repeat(70_000)),
                ByteBuffer.wrap("body".getBytes(StandardCharsets.UTF_8))));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(event);
    }
    SparkFlumeEvent read;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      read = (SparkFlumeEvent) in.readObject();
    }
    assertThat(read.event.getHeaders()).isEqualTo(Map.of("host", "web-1", "é", "ü".repeat(70_000)));
    assertThat(StandardCharsets.UTF_8.decode(read.event.getBody()).toString()).isEqualTo("body");
  }

  /**
   * An agent whose avro source copies each event into one channel per pull sink ({@code
   * SINK_PORT_<i>}).
   */
  private static FlumeAgent replicatingPullAgent() {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "a1.sources = r1",
                "a1.sources.r1.type = avro",
                "a1.sources.r1.bind = 127.0.0.1",
                "a1.sources.r1.port = ${SOURCE_PORT}"));
    List<String> channels = new ArrayList<>();
    List<String> sinks = new ArrayList<>();
    FlumeAgent.Builder builder = FlumeAgent.builder().listenPort("SOURCE_PORT");
    for (int i = 1; i <= PULL_SINKS; i++) {
      channels.add("c" + i);
      sinks.add("k" + i);
      lines.add("a1.channels.c" + i + ".type = memory");
      lines.add("a1.channels.c" + i + ".capacity = 10000");
      lines.add("a1.channels.c" + i + ".transactionCapacity = 1000");
      lines.add("a1.sinks.k" + i + ".type = io.sparking.flume.sink.SparkingSink");
      lines.add("a1.sinks.k" + i + ".channel = c" + i);
      lines.add("a1.sinks.k" + i + ".hostname = 127.0.0.1");
      lines.add("a1.sinks.k" + i + ".port = ${SINK_PORT_" + i + "}");
      lines.add("a1.sinks.k" + i + ".batchWait = 200");
      builder.listenPort("SINK_PORT_" + i);
    }
    lines.add("a1.channels = " + String.join(" ", channels));
    lines.add("a1.sinks = " + String.join(" ", sinks));
    lines.add("a1.sources.r1.channels = " + String.join(" ", channels));
    lines.add("");
    return builder.configuration(String.join("\n", lines)).start();
  }

  /**
   * Sends the events {@code e-<i>} with header {@code id=<i>} to a push receiver or an agent's avro
   * source.
   */
  private static void send(int port, boolean deflate) throws Exception {
    Properties props = new Properties();
    props.setProperty("hosts", "h1");
    props.setProperty("hosts.h1", "127.0.0.1:" + port);
    props.setProperty("batch-size", "100");
    props.setProperty("connect-timeout", "20000");
    props.setProperty("request-timeout", "20000");
    if (deflate) {
      props.setProperty("compression-type", "deflate");
    }
    RpcClient client = connect(props);
    try {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < EVENTS; i++) {
        events.add(
            EventBuilder.withBody(
                ("e-" + i).getBytes(StandardCharsets.UTF_8), Map.of("id", "" + i)));
      }
      for (int from = 0; from < EVENTS; from += 100) {
        client.appendBatch(events.subList(from, from + 100));
      }
    } finally {
      client.close();
    }
  }

  /**
   * A client for a receiver that may still be starting: its first connection is retried, at most 60
   * s.
   */
  private static RpcClient connect(Properties props) throws InterruptedException {
    long deadline = System.nanoTime() + CompatStreams.WAIT.toNanos();
    while (true) {
      try {
        return RpcClientFactory.getInstance(props);
      } catch (org.apache.flume.FlumeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private static void assertEveryEventOnce(Map<String, List<String>> received, int streams) {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      expected.add("e-" + i + "|" + i);
    }
    assertThat(received).hasSize(streams);
    received.forEach(
        (overload, lines) ->
            assertThat(lines).as(overload).containsExactlyInAnyOrderElementsOf(expected));
  }

  /**
   * What {@code Seq(address)} gives a Scala caller, 2.12 and 2.13 alike: an immutable List (a
   * scala.collection.Seq on both).
   */
  @SuppressWarnings("deprecation") // JavaConverters: the converter of Scala 2.12 and 2.13 alike
  private static scala.collection.immutable.List<InetSocketAddress> scalaSeq(
      InetSocketAddress address) {
    return scala.collection.JavaConverters.asScalaBuffer(List.of(address)).toList();
  }

  private static JavaDStream<String> scala(ReceiverInputDStream<SparkFlumeEvent> stream) {
    return JavaDStream.fromDStream(
            stream, scala.reflect.ClassTag$.MODULE$.apply(SparkFlumeEvent.class))
        .map(FlumeUtilsTest::line);
  }

  private static String line(SparkFlumeEvent e) {
    return StandardCharsets.UTF_8.decode(e.event.getBody().duplicate())
        + "|"
        + e.event.getHeaders().get("id");
  }
}
