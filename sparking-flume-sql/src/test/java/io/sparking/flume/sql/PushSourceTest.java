package io.sparking.flume.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.FlumeAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code format("flume")} in push mode: a real agent's avro sink sends to the query's endpoint. */
@Tag("every-line")
class PushSourceTest {
  @TempDir Path work;

  @Test
  void writesEveryEventAnAvroSinkSentExactlyOnceIntoTheFileSink() throws Exception {
    SparkSession spark = SparkSessions.local();
    Path output = work.resolve("out");
    try (FlumeAgent agent = TestAgents.avroSink()) {
      StreamingQuery query =
          spark
              .readStream()
              .format("flume")
              .option("mode", "push")
              .option("host", "127.0.0.1")
              .option("port", String.valueOf(agent.port(TestAgents.RECEIVER_PORT)))
              .option("threadsPerReceiver", "2")
              .load()
              .selectExpr("CAST(body AS STRING)")
              .writeStream()
              .format("text")
              .option("path", output.toString())
              .option("checkpointLocation", work.resolve("checkpoint").toString())
              .trigger(Trigger.ProcessingTime(500))
              .start();
      try {
        List<String> sent = TestAgents.ids("p", 0, 5000);
        TestAgents.feed(agent, sent);
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
  }
}
