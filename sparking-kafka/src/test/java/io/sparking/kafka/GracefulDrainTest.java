package io.sparking.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.core.GracefulStop;
import io.sparking.core.StopReport;
import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.LocalStreaming;
import io.sparking.testkit.KafkaBrokerExtension;
import io.sparking.testkit.OutputCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GracefulStop} on the library's own streams, in one JVM: stopped while records flow, a
 * stream processes exactly what its group committed, with the write-ahead log and without it.
 */
class GracefulDrainTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path checkpoint;

  @ParameterizedTest(name = "write-ahead log {0}")
  @ValueSource(booleans = {true, false})
  void receiverStoppedMidStreamProcessedExactlyWhatItCommitted(boolean writeAheadLog) {
    String topic = "drain-receiver-" + writeAheadLog;
    KAFKA.broker().createTopic(topic, 3);
    List<String> sent = KafkaBroker.numbered(topic, 0, 40_000);
    KAFKA.broker().produce(topic, sent);
    OutputCollector<String> out = OutputCollector.create();
    StopReport report;
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint)
            .writeAheadLog(writeAheadLog)
            .set("spark.streaming.receiver.maxRate", "10000")
            .start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), topic).topics(topic).build();
      SparkingKafka.receiverStream(spark.context(), settings)
          .foreachRDD(rdd -> out.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= 5_000);
      report = GracefulStop.stop(spark.context());
    }
    List<String> committed = KAFKA.broker().committedValues(topic, topic);
    System.out.printf(
        "receiver drain (write-ahead log %s): processed=%d committed=%d sent=%d %s%n",
        writeAheadLog, out.size(), committed.size(), sent.size(), report);
    assertThat(report.complete()).as("stop report %s", report).isTrue();
    assertThat(report.receivers()).isEqualTo(1);
    assertThat(out.size()).as("stopped mid-stream").isLessThan(sent.size());
    assertThat(out.values())
        .as("processed in this run, exactly what the group committed")
        .containsExactlyInAnyOrderElementsOf(committed);
  }

  @ParameterizedTest(name = "restart after the stop: {0}")
  @ValueSource(booleans = {true, false})
  void directStreamStoppedMidStreamCommittedExactlyWhatItOutput(boolean restart) {
    String topic = "drain-direct-" + restart;
    KAFKA.broker().createTopic(topic, 3);
    List<String> sent = KafkaBroker.numbered(topic, 0, 60_000);
    KAFKA.broker().produce(topic, sent);
    KafkaSettings settings =
        KafkaSettings.builder(KAFKA.broker().bootstrapServers(), topic).topics(topic).build();
    OutputCollector<String> out = OutputCollector.create();
    LocalStreaming.Builder builder =
        LocalStreaming.builder(checkpoint.resolve("run-1"))
            .set("spark.streaming.kafka.maxRatePerPartition", "5000");
    try (LocalStreaming spark = builder.start()) {
      SparkingKafka.directStream(spark.context(), settings)
          .foreachBatch(
              (records, time) -> out.addAll(records.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= 5_000);
      GracefulStop.stop(spark.context());
    }
    List<String> committed = KAFKA.broker().committedValues(topic, topic);
    System.out.printf(
        "direct drain: output=%d committed=%d sent=%d%n",
        out.size(), committed.size(), sent.size());
    assertThat(out.size()).as("stopped mid-stream").isLessThan(sent.size());
    assertThat(out.values())
        .as("output in this run, exactly what the group committed")
        .containsExactlyInAnyOrderElementsOf(committed);
    if (restart) {
      // A new checkpoint, as a deploy of new code: it starts at the committed offsets, so it
      // repeats nothing.
      try (LocalStreaming spark = LocalStreaming.builder(checkpoint.resolve("run-2")).start()) {
        SparkingKafka.directStream(spark.context(), settings)
            .foreachBatch(
                (records, time) -> out.addAll(records.map(KafkaRecord::valueAsString).collect()));
        spark.context().start();
        await().atMost(WAIT).until(() -> out.size() >= sent.size());
        GracefulStop.stop(spark.context());
      }
      assertThat(out.values()).as("both runs together").containsExactlyInAnyOrderElementsOf(sent);
    }
  }
}
