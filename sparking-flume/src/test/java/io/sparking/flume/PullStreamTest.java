package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.sparking.runtime.FlumeAgent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.junit.jupiter.api.Test;

/**
 * Pull receivers pulling from real Flume 1.11 agents, with Sparking's sink and with Spark 2.4.8's.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
class PullStreamTest {
  private static final PullSettings SETTINGS =
      PullSettings.builder()
          .batchSize(500)
          .connectionsPerAgent(2)
          .callTimeout(Duration.ofSeconds(5))
          .stopGrace(Duration.ofSeconds(2))
          .build();

  @Test
  void pullsEveryEventOnceFromOneAgent() throws Exception {
    try (FlumeAgent agent = Agents.sparkingPullSink();
        SparkStreams spark =
            SparkStreams.start(
                1, jssc -> SparkingFlume.pullStream(jssc, List.of(sinkOf(agent)), SETTINGS))) {
      Agents.feed(agent, "a", 3000);
      spark.awaitEvents(3000).stopGracefully();

      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected("a", 0, 3000));
    }
  }

  @Test
  void reportsStoredEventsBytesAndRoundTripsToSparkMetrics() throws Exception {
    AtomicReference<JavaReceiverInputDStream<FlumeEvent>> stream = new AtomicReference<>();
    try (FlumeAgent agent = Agents.sparkingPullSink();
        SparkStreams spark =
            SparkStreams.start(
                1,
                jssc -> {
                  stream.set(SparkingFlume.pullStream(jssc, List.of(sinkOf(agent)), SETTINGS));
                  return stream.get();
                })) {
      int streamId = stream.get().inputDStream().id();
      assertThat(stream.get().inputDStream().name())
          .isEqualTo("flume-pull@127.0.0.1:" + agent.port(Agents.SINK_PORT) + "#" + streamId);
      // Kept from here: the stop removes the receiver's source from the metrics system.
      MetricRegistry metrics = SparkStreams.awaitReceiverMetrics(streamId);
      Agents.feed(agent, "m", 3000);
      spark.awaitEvents(3000);

      List<FlumeEvent> expected = FlumeClients.expected("m", 0, 3000);
      assertThat(metrics.getMeters().get("records").getCount()).isEqualTo(3000);
      assertThat(metrics.getMeters().get("bytes").getCount())
          .isEqualTo(expected.stream().mapToLong(FlumeEvent::bodyLength).sum());
      // An ack travels with the next getEventBatch and its answer is read when that batch is back:
      // the count of
      // acked batches catches up with the stored blocks within one sink batchWait once the channel
      // is empty.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  metrics.getCounters().get("flume.pull.batchesAcked").getCount()
                      == metrics.getMeters().get("blocks").getCount());
      long acked = metrics.getCounters().get("flume.pull.batchesAcked").getCount();
      // At most 500 events a batch, so at least 6 batches; every batch is one answered
      // getEventBatch call.
      assertThat(acked).isGreaterThanOrEqualTo(6);
      assertThat(metrics.getTimers().get("flume.pull.roundTrips").getCount())
          .isGreaterThanOrEqualTo(acked);
      assertThat(metrics.getCounters().get("flume.pull.batchesNacked").getCount()).isZero();
      spark.stopGracefully();
      assertThat(spark.events()).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void pullsEveryEventOnceFromTwoAgentsThroughOneReceiver() throws Exception {
    try (FlumeAgent first = Agents.sparkingPullSink();
        FlumeAgent second = Agents.sparkingPullSink();
        SparkStreams spark =
            SparkStreams.start(
                1,
                jssc ->
                    SparkingFlume.pullStream(
                        jssc, List.of(sinkOf(first), sinkOf(second)), SETTINGS))) {
      Agents.feed(first, "a", 2000);
      Agents.feed(second, "b", 2000);
      spark.awaitEvents(4000).stopGracefully();

      List<FlumeEvent> expected = new ArrayList<>(FlumeClients.expected("a", 0, 2000));
      expected.addAll(FlumeClients.expected("b", 0, 2000));
      assertThat(spark.events()).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void pullsFromSpark248SparkSinkRunningInFlume111() throws Exception {
    try (FlumeAgent agent = Agents.spark248PullSink();
        SparkStreams spark =
            SparkStreams.start(
                1, jssc -> SparkingFlume.pullStream(jssc, List.of(sinkOf(agent)), SETTINGS))) {
      Agents.feed(agent, "old", 2000);
      spark.awaitEvents(2000).stopGracefully();

      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected("old", 0, 2000));
    }
  }

  @Test
  void stoppingOnAnEmptyChannelFinishesWithinTheGracePlusAFewSeconds() throws Exception {
    try (FlumeAgent agent = Agents.sparkingPullSink();
        SparkStreams spark =
            SparkStreams.start(
                1, jssc -> SparkingFlume.pullStream(jssc, List.of(sinkOf(agent)), SETTINGS))) {
      long start = System.nanoTime();
      spark.stopGracefully();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isLessThan(SETTINGS.stopGrace().plusSeconds(8));
      assertThat(spark.events()).isEmpty();
    }
  }

  @Test
  void stoppingWhileSpark248SinkBlocksOnAnEmptyChannelFinishesWithinBoundedTime() throws Exception {
    try (FlumeAgent agent = Agents.spark248PullSink();
        SparkStreams spark =
            SparkStreams.start(
                1, jssc -> SparkingFlume.pullStream(jssc, List.of(sinkOf(agent)), SETTINGS))) {
      long start = System.nanoTime();
      spark.stopGracefully();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      // The old sink never answers on an empty channel: the stop closes the connections after the
      // grace period.
      assertThat(took).isLessThan(SETTINGS.stopGrace().plusSeconds(8));
      assertThat(spark.events()).isEmpty();
    }
  }

  static InetSocketAddress sinkOf(FlumeAgent agent) {
    return new InetSocketAddress("127.0.0.1", agent.port(Agents.SINK_PORT));
  }
}
