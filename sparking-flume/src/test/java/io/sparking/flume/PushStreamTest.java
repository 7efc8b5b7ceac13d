package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FreePorts;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Flume's RPC client, as used by the avro sink, pushing into Spark through one or several push
 * receivers.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
@Tag("every-line")
class PushStreamTest {

  @Test
  void deliversEveryEventOfOneSenderOnceWithBodyAndHeaders() throws Exception {
    int port = FreePorts.next();
    try (SparkStreams spark =
        SparkStreams.start(1, jssc -> SparkingFlume.pushStream(jssc, "127.0.0.1", port))) {
      try (FlumeClients.Sender client = FlumeClients.client(port, 100, Map.of())) {
        client.sendAll(FlumeClients.events("a", 0, 2000));
      }
      spark.awaitEvents(2000).stopGracefully();

      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected("a", 0, 2000));
    }
  }

  @Test
  void reportsStoredEventsAndAnsweredBatchesToSparkMetrics() throws Exception {
    int port = FreePorts.next();
    AtomicReference<JavaReceiverInputDStream<FlumeEvent>> stream = new AtomicReference<>();
    try (SparkStreams spark =
        SparkStreams.start(
            1,
            jssc -> {
              stream.set(SparkingFlume.pushStream(jssc, "127.0.0.1", port));
              return stream.get();
            })) {
      int streamId = stream.get().inputDStream().id();
      assertThat(stream.get().inputDStream().name())
          .isEqualTo("flume-push@127.0.0.1:" + port + "#" + streamId);
      // Registered once the server listens; kept from here: the stop removes it from the metrics
      // system.
      MetricRegistry metrics = SparkStreams.awaitReceiverMetrics(streamId);
      try (FlumeClients.Sender client = FlumeClients.client(port, 100, Map.of())) {
        client.sendAll(FlumeClients.events("p", 0, 1000));
      }
      spark.awaitEvents(1000);

      // The client sends 10 batches of 100.
      assertThat(metrics.getMeters().get("records").getCount()).isEqualTo(1000);
      assertThat(metrics.getMeters().get("bytes").getCount())
          .isEqualTo(
              FlumeClients.expected("p", 0, 1000).stream().mapToLong(FlumeEvent::bodyLength).sum());
      assertThat(metrics.getMeters().get("flume.push.batches").getCount()).isEqualTo(10);
      assertThat(metrics.getCounters().get("flume.push.batchesFailed").getCount()).isZero();
      spark.stopGracefully();
    }
  }

  @Test
  void unionOfTwoReceiversGetsEveryEventOfTwoSendersOnce() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    List<InetSocketAddress> addresses =
        List.of(
            new InetSocketAddress("127.0.0.1", portA), new InetSocketAddress("127.0.0.1", portB));
    ExecutorService senders =
        Executors.newFixedThreadPool(2, r -> new Thread(r, "test-flume-sender"));
    try (SparkStreams spark =
        SparkStreams.start(
            2, jssc -> SparkingFlume.pushStreams(jssc, addresses, PushSettings.defaults()))) {
      List<Future<?>> sent = new ArrayList<>();
      sent.add(senders.submit(() -> send(portA, "a", 1500)));
      sent.add(senders.submit(() -> send(portB, "b", 1500)));
      for (Future<?> f : sent) {
        f.get(SparkStreams.WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      spark.awaitEvents(3000).stopGracefully();

      List<FlumeEvent> expected = new ArrayList<>(FlumeClients.expected("a", 0, 1500));
      expected.addAll(FlumeClients.expected("b", 0, 1500));
      assertThat(spark.events()).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      senders.shutdownNow();
      assertThat(senders.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void deflateCompressedSinkIsUnderstood() throws Exception {
    int port = FreePorts.next();
    PushSettings settings =
        PushSettings.builder().compression(PushSettings.Compression.DEFLATE).build();
    try (SparkStreams spark =
        SparkStreams.start(
            1, jssc -> SparkingFlume.pushStream(jssc, "127.0.0.1", port, settings))) {
      try (FlumeClients.Sender client =
          FlumeClients.client(
              port, 100, Map.of("compression-type", "deflate", "compression-level", "6"))) {
        client.sendAll(FlumeClients.events("z", 0, 500));
      }
      spark.awaitEvents(500).stopGracefully();

      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected("z", 0, 500));
    }
  }

  @Test
  void avroSinkOfARealAgentDeliversEveryEventOnce() throws Exception {
    try (FlumeAgent agent = Agents.avroSinkTo("none");
        SparkStreams spark =
            SparkStreams.start(
                1,
                jssc ->
                    SparkingFlume.pushStream(
                        jssc, "127.0.0.1", agent.port(Agents.RECEIVER_PORT)))) {
      Agents.feed(agent, "f", 3000);
      spark.awaitEvents(3000).stopGracefully();

      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected("f", 0, 3000));
    }
  }

  @Test
  void deflateAvroSinkOfARealAgentDeliversEveryEventOnce() throws Exception {
    PushSettings settings =
        PushSettings.builder().compression(PushSettings.Compression.DEFLATE).build();
    try (FlumeAgent agent = Agents.avroSinkTo("deflate");
        SparkStreams spark =
            SparkStreams.start(
                1,
                jssc ->
                    SparkingFlume.pushStream(
                        jssc, "127.0.0.1", agent.port(Agents.RECEIVER_PORT), settings))) {
      Agents.feed(agent, "d", 1000);
      spark.awaitEvents(1000).stopGracefully();

      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected("d", 0, 1000));
    }
  }

  private static Void send(int port, String sender, int count) throws Exception {
    try (FlumeClients.Sender client = FlumeClients.client(port, 100, Map.of())) {
      client.sendAll(FlumeClients.events(sender, 0, count));
    }
    return null;
  }
}
