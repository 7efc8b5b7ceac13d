package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.FlumeAgent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The DStream pull receiver in Spark (local mode, write-ahead log on) against a real agent, with
 * its window between storing a batch and acking it held open on purpose: the receiver's write-ahead
 * log sits on {@link HoldingWalFileSystem}, whose flush holds right after a block is durable,
 * longer than the sink's transaction timeout.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
@Tag("every-line")
class PullStreamAckWindowTest {
  private static final int WINDOWS = 3;
  private static final int CONNECTIONS = 2;
  private static final int BATCH = 100;
  // Long enough that an ack only a loaded machine delays is not rolled back outside the windows.
  private static final int SINK_TIMEOUT_SECONDS = 4;

  /**
   * How long a held flush lasts: past the sink's timeout, so the batches' transactions roll back.
   */
  private static final Duration HOLD = Duration.ofSeconds(SINK_TIMEOUT_SECONDS + 1L);

  /**
   * While uniquely numbered ids flow into the agent, the receiver's write-ahead log holds {@value
   * #WINDOWS} times after a block is durable, before the receiver acks its batches, longer than the
   * sink's timeout: the sink rolls those transactions back and delivers their events again, and the
   * receiver logs each such batch when the sink answers its late ack. Nothing is lost; the stream
   * holds the logged batches' events once more and nothing else twice; that is at most one batch
   * per connection per window.
   */
  @Test
  void aWriteAheadLogHeldPastTheSinkTimeoutDuplicatesAtMostOneBatchPerConnectionPerWindow()
      throws Exception {
    PullSettings settings =
        PullSettings.builder()
            .batchSize(BATCH)
            .connectionsPerAgent(CONNECTIONS)
            .callTimeout(Duration.ofSeconds(5))
            .emptyBackoff(Duration.ofMillis(10))
            .reconnectBackoff(Duration.ofMillis(200))
            .stopGrace(Duration.ofSeconds(2))
            .build();
    HoldingWalFileSystem.reset();
    List<Long> distinctAtWindows = new ArrayList<>();
    List<Long> distinctAfterWindows = new ArrayList<>();
    try (FlumeAgent agent = Agents.sparkingPullSink(SINK_TIMEOUT_SECONDS);
        RolledBackBatches log = RolledBackBatches.capture();
        SparkStreams spark =
            SparkStreams.start(
                1,
                HoldingWalFileSystem.SCHEME,
                HoldingWalFileSystem.class,
                jssc -> SparkingFlume.pullStream(jssc, List.of(sinkOf(agent)), settings));
        PacedFeeder feeder = PacedFeeder.start(agent.port(Agents.SOURCE_PORT))) {
      long distinct = 0;
      for (int window = 1; window <= WINDOWS; window++) {
        // New ids came out of the stream since the last window: they flow before this one.
        distinct = awaitDistinctAbove(spark, distinct, feeder);
        distinctAtWindows.add(distinct);
        int opened = window;
        int loggedBefore = log.count();
        HoldingWalFileSystem.holdNextFlush(HOLD);
        await("window " + window + " held and released")
            .atMost(HOLD.plus(SparkStreams.WAIT))
            .until(() -> HoldingWalFileSystem.released() == opened);
        // The held batches' settles came after the sink's timeout: it answered ROLLED_BACK, and
        // the connection logged it.
        await("window " + window + " logged rolled back")
            .atMost(Duration.ofSeconds(10))
            .until(() -> log.count() > loggedBefore);
        // And new ids flow after it.
        distinct = awaitDistinctAbove(spark, distinctOf(spark), feeder);
        distinctAfterWindows.add(distinct);
      }
      feeder.stop();
      feeder.assertStoppedCleanly();
      int sent = feeder.sent();
      await("all " + sent + " ids out of the stream")
          .atMost(SparkStreams.WAIT)
          .until(() -> distinctOf(spark) >= sent);
      spark.stopGracefully();
      assertThat(spark.receiverErrors()).isEmpty();

      Map<String, Integer> counts = new HashMap<>();
      List<FlumeEvent> events = spark.events();
      events.forEach(e -> counts.merge(e.bodyAsString(), 1, Integer::sum));
      long lost = 0;
      for (int i = 0; i < sent; i++) {
        if (!counts.containsKey(PacedFeeder.id(i))) {
          lost++;
        }
      }
      long duplicates = events.size() - (long) counts.size();
      long bound = (long) WINDOWS * CONNECTIONS * BATCH;
      System.out.println(
          "scenario=flume-dstream-pull-ack-window sent="
              + sent
              + " windows="
              + HoldingWalFileSystem.held()
              + " connections="
              + CONNECTIONS
              + " batch_size="
              + BATCH
              + " sink_timeout_s="
              + SINK_TIMEOUT_SECONDS
              + " hold_ms="
              + HOLD.toMillis()
              + " distinct_at_windows="
              + distinctAtWindows
              + " distinct_after_windows="
              + distinctAfterWindows
              + " rolled_back_batches_logged="
              + log.count()
              + " rolled_back_events_logged="
              + log.events()
              + " events="
              + events.size()
              + " distinct="
              + counts.size()
              + " lost="
              + lost
              + " duplicates="
              + duplicates
              + " bound="
              + bound);

      // The windows were opened, while ids flowed before and after each.
      assertThat(HoldingWalFileSystem.held()).isEqualTo(WINDOWS);
      assertThat(distinctAtWindows).hasSize(WINDOWS).isSorted().doesNotHaveDuplicates();
      // New ids were stored after each window closed, while the feeder still sent (awaited above;
      // the receiver may have caught up with the feeder by the time it stopped).
      assertThat(distinctAfterWindows).hasSize(WINDOWS);
      // Each window rolled back at least one batch, and at most one per connection.
      assertThat(log.count()).isBetween(WINDOWS, WINDOWS * CONNECTIONS);
      assertThat(lost).isZero();
      assertThat(counts).hasSize(sent);
      // The duplicates are the logged batches' events, each once more: nothing else came twice.
      assertThat(duplicates).isPositive().isEqualTo(log.events()).isLessThanOrEqualTo(bound);
    } finally {
      HoldingWalFileSystem.reset();
    }
  }

  /** Waits until more than {@code than} distinct ids came out, while the feeder still sends. */
  private static long awaitDistinctAbove(SparkStreams spark, long than, PacedFeeder feeder) {
    long now =
        await("more than " + than + " distinct ids out of the stream")
            .atMost(SparkStreams.WAIT)
            .until(() -> distinctOf(spark), n -> n > than);
    assertThat(feeder.running()).as("the feeder still sends").isTrue();
    return now;
  }

  private static long distinctOf(SparkStreams spark) {
    return spark.events().stream().map(FlumeEvent::bodyAsString).distinct().count();
  }

  private static InetSocketAddress sinkOf(FlumeAgent agent) {
    return new InetSocketAddress("127.0.0.1", agent.port(Agents.SINK_PORT));
  }
}
