package io.sparking.flume.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.FlumeAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code format("flume")} in pull mode, from real agents into Spark's file sink. */
class PullSourceTest {
  @TempDir Path work;

  @Test
  void writesEveryEventOfTwoAgentsExactlyOnceIntoTheFileSink() throws Exception {
    SparkSession spark = SparkSessions.local();
    Path output = work.resolve("out");
    try (FlumeAgent a = TestAgents.sparkingPullSink();
        FlumeAgent b = TestAgents.sparkingPullSink()) {
      StreamingQuery query =
          spark
              .readStream()
              .format("flume")
              .option("mode", "pull")
              .option("agents", sink(a) + "," + sink(b))
              .option("connectionsPerAgent", "3")
              .option("batchSize", "400")
              .option("callTimeout", "5s")
              .load()
              .selectExpr("CAST(body AS STRING)")
              .writeStream()
              .format("text")
              .option("path", output.toString())
              .option("checkpointLocation", work.resolve("checkpoint").toString())
              .trigger(Trigger.ProcessingTime(500))
              .start();
      try {
        List<String> sent = new ArrayList<>(TestAgents.ids("a", 0, 3000));
        sent.addAll(TestAgents.ids("b", 0, 3000));
        TestAgents.feed(a, sent.subList(0, 3000));
        TestAgents.feed(b, sent.subList(3000, 6000));
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    SparkSessions.committedCounts(spark, output).size() == sent.size()
                        || query.exception().isDefined());
        assertThat(query.exception().isDefined()).isFalse();
        Map<String, Integer> counts = SparkSessions.committedCounts(spark, output);
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(counts.values()).allMatch(n -> n == 1);
      } finally {
        query.stop();
      }
    }
    // Every batch committed: the log keeps at most one segment for its position, and what the
    // stop sealed.
    try (Stream<Path> segments = Files.list(work.resolve("checkpoint/sources/0/segments"))) {
      assertThat(segments.map(p -> p.getFileName().toString()).toList())
          .hasSizeLessThanOrEqualTo(2);
    }
  }

  @Test
  void givesHeadersBodyAndTheTimeReceived() throws Exception {
    SparkSession spark = SparkSessions.local();
    long before = System.currentTimeMillis();
    try (FlumeAgent agent = TestAgents.sparkingPullSink()) {
      StreamingQuery query =
          spark
              .readStream()
              .format("flume")
              .option("mode", "pull")
              .option("agents", sink(agent))
              .load()
              .writeStream()
              .format("memory")
              .queryName("pulled")
              .option("checkpointLocation", work.resolve("checkpoint").toString())
              .start();
      try {
        TestAgents.feed(agent, TestAgents.ids("h", 0, 10));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> spark.table("pulled").count() == 10 || query.exception().isDefined());
        List<Row> rows = spark.sql("SELECT headers, body, timestamp FROM pulled").collectAsList();
        assertThat(rows).hasSize(10);
        for (Row row : rows) {
          String body = new String((byte[]) row.get(1), java.nio.charset.StandardCharsets.UTF_8);
          assertThat(row.<String, String>getJavaMap(0)).containsEntry("id", body);
          assertThat(row.getTimestamp(2).getTime()).isBetween(before, System.currentTimeMillis());
        }
      } finally {
        query.stop();
      }
    }
  }

  @Test
  void pullsFromSpark248sSparkSink() throws Exception {
    SparkSession spark = SparkSessions.local();
    Path output = work.resolve("out");
    try (FlumeAgent agent = TestAgents.spark248PullSink()) {
      StreamingQuery query =
          spark
              .readStream()
              .format("flume")
              .option("mode", "pull")
              .option("agents", sink(agent))
              .option("connectionsPerAgent", "2")
              .option("callTimeout", "2s")
              .load()
              .selectExpr("CAST(body AS STRING)")
              .writeStream()
              .format("text")
              .option("path", output.toString())
              .option("checkpointLocation", work.resolve("checkpoint").toString())
              .trigger(Trigger.ProcessingTime(500))
              .start();
      try {
        List<String> sent = TestAgents.ids("old", 0, 3000);
        TestAgents.feed(agent, sent);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    SparkSessions.committedCounts(spark, output).size() == sent.size()
                        || query.exception().isDefined());
        Map<String, Integer> counts = SparkSessions.committedCounts(spark, output);
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(counts.values()).allMatch(n -> n == 1);
      } finally {
        query.stop();
      }
    }
  }

  private static String sink(FlumeAgent agent) {
    return "127.0.0.1:" + agent.port(TestAgents.SINK_PORT);
  }
}
