package io.sparking.flume.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.FlumeAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query slower than its agents, and a log that cannot be written: the source takes no more than
 * its limits allow and refuses what it cannot keep, and Flume keeps it meanwhile.
 */
@Tag("every-line")
class BackpressureTest {
  private static final int EVENTS = 12_000;
  private static final int MAX_EVENTS_PER_TRIGGER = 1_000;
  private static final long MAX_LOG_BYTES = 1 << 20;
  private static final int BATCH_SIZE = 100;

  /** About 500 bytes an event, so the ids are about six times what the log may hold. */
  private static final String PADDING = "x".repeat(500);

  /**
   * More than one Flume batch of these events takes in the log: each event holds its line as its
   * body and again as its id header.
   */
  private static final long FRAME_BYTES = BATCH_SIZE * (2 * (PADDING.length() + 20L) + 40);

  @TempDir Path work;

  /**
   * A sink that takes its time per micro-batch: each trigger reads at most maxEventsPerTrigger, the
   * log on disk stays within maxLogSize (it fills up to it: the agent keeps the rest), and every id
   * comes out exactly once.
   */
  @Test
  void aLaggingQueryTakesAtMostItsLimitsAndTheAgentKeepsTheRest() throws Exception {
    SparkSession spark = SparkSessions.local();
    List<String> ids = TestAgents.ids("lag", 0, EVENTS);
    List<String> out = new CopyOnWriteArrayList<>();
    List<Long> perTrigger = new CopyOnWriteArrayList<>();
    Path segments = work.resolve("checkpoint/sources/0/segments");
    AtomicLong largestLog = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                largestLog.accumulateAndGet(segmentBytes(segments), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "log-size-sampler");
    try (FlumeAgent agent = TestAgents.sparkingPullSink()) {
      TestAgents.feed(agent, ids.stream().map(id -> id + " " + PADDING).toList());
      StreamingQuery query =
          spark
              .readStream()
              .format("flume")
              .option("mode", "pull")
              .option("agents", "127.0.0.1:" + agent.port(TestAgents.SINK_PORT))
              .option("batchSize", String.valueOf(BATCH_SIZE))
              .option("maxEventsPerTrigger", String.valueOf(MAX_EVENTS_PER_TRIGGER))
              .option("maxLogSize", "1m")
              .load()
              .selectExpr("CAST(body AS STRING) AS line")
              .writeStream()
              .foreachBatch(
                  (Dataset<Row> batch, Long id) -> {
                    List<String> lines =
                        batch.as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
                    perTrigger.add((long) lines.size());
                    lines.forEach(line -> out.add(line.substring(0, line.indexOf(' '))));
                    Thread.sleep(300);
                  })
              .option("checkpointLocation", work.resolve("checkpoint").toString())
              .trigger(Trigger.ProcessingTime(100))
              .start();
      sampler.start();
      try {
        await()
            .atMost(Duration.ofSeconds(180))
            .until(() -> out.size() >= EVENTS || query.exception().isDefined());
        assertThat(query.exception().isDefined()).as("%s", query.exception()).isFalse();
      } finally {
        query.stop();
        sampling.set(false);
        sampler.join(5_000);
      }
    }
    long duplicates = out.size() - new HashSet<>(out).size();
    System.out.println(
        "scenario=flume-sql-lagging-query sent="
            + EVENTS
            + " out="
            + out.size()
            + " duplicates="
            + duplicates
            + " largest_trigger="
            + perTrigger.stream().mapToLong(n -> n).max().orElse(0)
            + " largest_log_bytes="
            + largestLog.get());
    assertThat(perTrigger)
        .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(MAX_EVENTS_PER_TRIGGER));
    // One more batch is taken once Spark has everything else (it commits a micro-batch only
    // when it plans the next one).
    assertThat(largestLog.get()).isLessThanOrEqualTo(MAX_LOG_BYTES + FRAME_BYTES);
    assertThat(largestLog.get())
        .as("the log filled up to its bound, so the agent held the rest")
        .isGreaterThan(MAX_LOG_BYTES / 2);
    assertThat(out).containsExactlyInAnyOrderElementsOf(ids);
  }

  /**
   * The log's sync fails once: that batch is refused (nacked), the query stops with an error that
   * says to restart it, and restarted from its checkpoint it writes every id exactly once.
   */
  @Test
  void aFailedLogWriteRefusesTheBatchAndLosesNothing() throws Exception {
    SparkSession spark = SparkSessions.local();
    Path fail = work.resolve("fail-next-sync");
    spark
        .sparkContext()
        .hadoopConfiguration()
        .set("fs." + HoldingFileSystem.SCHEME + ".impl", HoldingFileSystem.class.getName());
    spark
        .sparkContext()
        .hadoopConfiguration()
        .set("fs." + HoldingFileSystem.SCHEME + ".impl.disable.cache", "true");
    spark.sparkContext().hadoopConfiguration().set(HoldingFileSystem.FAIL, fail.toString());
    String checkpoint = HoldingFileSystem.SCHEME + "://" + work.resolve("checkpoint");
    Path output = work.resolve("out");
    List<String> ids = TestAgents.ids("fail", 0, 6_000);
    try (FlumeAgent agent = TestAgents.sparkingPullSink()) {
      String agents = "127.0.0.1:" + agent.port(TestAgents.SINK_PORT);
      TestAgents.feed(agent, ids.subList(0, 3_000));
      StreamingQuery first = fileSinkQuery(spark, agents, checkpoint, output);
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> !SparkSessions.committedCounts(spark, output).isEmpty());
        Files.createFile(fail);
        TestAgents.feed(agent, ids.subList(3_000, 4_000));
        await().atMost(Duration.ofSeconds(60)).until(() -> first.exception().isDefined());
        assertThat(Files.exists(fail)).as("the failing sync happened").isFalse();
        assertThat(first.exception().get().getMessage())
            .contains("restart the query from its checkpoint");
      } finally {
        first.stop();
      }
      TestAgents.feed(agent, ids.subList(4_000, 6_000));
      StreamingQuery second = fileSinkQuery(spark, agents, checkpoint, output);
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    SparkSessions.committedCounts(spark, output).size() == ids.size()
                        || second.exception().isDefined());
      } finally {
        second.stop();
      }
    }
    Map<String, Integer> counts = SparkSessions.committedCounts(spark, output);
    long lost = ids.stream().filter(id -> !counts.containsKey(id)).count();
    long duplicates = counts.values().stream().mapToLong(n -> n - 1).sum();
    System.out.println(
        "scenario=flume-sql-failed-log-write sent="
            + ids.size()
            + " lost="
            + lost
            + " duplicates="
            + duplicates);
    assertThat(lost).isZero();
    assertThat(duplicates).isZero();
  }

  private static StreamingQuery fileSinkQuery(
      SparkSession spark, String agents, String checkpoint, Path output) throws Exception {
    return spark
        .readStream()
        .format("flume")
        .option("mode", "pull")
        .option("agents", agents)
        .option("batchSize", String.valueOf(BATCH_SIZE))
        .option("callTimeout", "5s")
        .load()
        .selectExpr("CAST(body AS STRING)")
        .writeStream()
        .format("text")
        .option("path", output.toString())
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.ProcessingTime(500))
        .start();
  }

  private static long segmentBytes(Path segments) {
    try (Stream<Path> files = Files.list(segments)) {
      long bytes = 0;
      for (Path file : files.filter(f -> f.toString().endsWith(".seg")).toList()) {
        try {
          bytes += Files.size(file);
        } catch (IOException e) {
          // Renamed while listed: counted under its new name by the next sample.
        }
      }
      return bytes;
    } catch (IOException e) {
      return 0;
    }
  }
}
