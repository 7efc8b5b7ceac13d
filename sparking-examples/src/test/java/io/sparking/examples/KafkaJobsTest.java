package io.sparking.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.examples.JobRunner.JobRun;
import io.sparking.testkit.JavaProcess;
import io.sparking.testkit.KafkaBroker;
import io.sparking.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Runs each Kafka job as its users do, in a JVM of its own through its {@code main}, against a real KAFKA.broker(). */
class KafkaJobsTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path work;
  private JobRunner jobs;

  @BeforeEach
  void createRunner() {
    jobs = new JobRunner(work);
  }

  @Test
  void kafkaSingleTopicReceivesExactlyTheProducedRecords() throws Exception {
    KAFKA.broker().createTopic("single", 3);
    KAFKA.broker().produce("single", KafkaBroker.numbered("word", 0, 3_000));
    JobRun run = jobs.runToEnd("KafkaSingleTopic", "local[3]", "single", KAFKA.broker().bootstrapServers(),
        "--group", "single-job", "--batch-interval", "1s", "--max-records", "3000", "--duration", "150");
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(3_000);
    assertThat(run.lines()).anyMatch(l -> l.matches("batch \\d\\d:\\d\\d:\\d\\d\\.\\d{3} records=\\d+ top=.*"));
    assertEveryBatchLineCountsAndShowsDelays(run);
    assertCommittedToEnd("single-job", "single", 3);
  }

  @Test
  void kafkaMultiTopicsReceivesExactlyTheProducedRecordsOfEveryTopic() throws Exception {
    for (String topic : List.of("m1", "m2", "m3")) {
      KAFKA.broker().createTopic(topic, 2);
      KAFKA.broker().produce(topic, KafkaBroker.numbered(topic, 0, 1_000));
    }
    JobRun run = jobs.runToEnd("KafkaMultiTopics", "local[4]", "m1,m2,m3", KAFKA.broker().bootstrapServers(),
        "--group", "multi-job", "--batch-interval", "1s", "--max-records", "3000", "--duration", "150",
        "--repartition", "4");
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(3_000);
    for (String topic : List.of("m1", "m2", "m3")) {
      assertCommittedToEnd("multi-job", topic, 2);
    }
  }

  @Test
  void kafkaDirectTopicReceivesExactlyTheProducedRecords() throws Exception {
    KAFKA.broker().createTopic("direct", 4);
    KAFKA.broker().produce("direct", KafkaBroker.numbered("direct", 0, 4_000));
    JobRun run = jobs.runToEnd("KafkaDirectTopic", "local[2]", "direct", KAFKA.broker().bootstrapServers(),
        "--group", "direct-job", "--batch-interval", "1s", "--max-records", "4000", "--duration", "150");
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(4_000);
    assertEveryBatchLineCountsAndShowsDelays(run);
  }

  /**
   * Every batch prints {@code batch <time> records=<n>} (then its top words, where the job reports them), followed by
   * its processing and scheduling delays once Spark reported the batch completed; the lines add up to the total.
   */
  static void assertEveryBatchLineCountsAndShowsDelays(JobRun run) {
    List<String> batches = run.lines().stream().filter(l -> l.startsWith("batch ")).toList();
    assertThat(batches).as("batch lines; output:%n%s", run.tail()).isNotEmpty().allMatch(l -> l.matches(
        "batch \\d\\d:\\d\\d:\\d\\d\\.\\d{3} records=\\d+( top=\\S*)?( processing=\\d+ms scheduling=\\d+ms)?"));
    // Only batches whose completion was not reported before the stop miss their delays: printed last, at the stop.
    List<Boolean> delays = batches.stream().map(l -> l.contains(" processing=")).toList();
    assertThat(delays).as("batch lines with delays; output:%n%s", run.tail()).startsWith(true);
    assertThat(delays.subList(delays.indexOf(false) < 0 ? delays.size() : delays.indexOf(false), delays.size()))
        .as("lines without delays come only at the end; output:%n%s", run.tail()).doesNotContain(true);
    long sum = batches.stream().mapToLong(l -> Long.parseLong(l.replaceAll(".* records=(\\d+).*", "$1"))).sum();
    assertThat(sum).as("records over all batch lines").isEqualTo(run.total());
  }

  @Test
  void sigtermStopsGracefullyAndPrintsTheTotal() throws Exception {
    KAFKA.broker().createTopic("term", 2);
    KAFKA.broker().produce("term", KafkaBroker.numbered("term", 0, 2_000));
    Path log = work.resolve("term.log");
    try (JavaProcess job = jobs.start(log, "KafkaSingleTopic", "local[2]", "term", KAFKA.broker().bootstrapServers(),
        "--group", "term-job", "--batch-interval", "1s")) {
      await().atMost(JobRunner.JOB_TIMEOUT)
          .until(() -> JobRunner.read(log).stream().anyMatch(l -> l.matches("batch .* records=[1-9].*")));
      job.stop(Duration.ofSeconds(60));
      assertThat(job.waitFor(Duration.ofSeconds(1))).isPresent();
    }
    List<String> lines = JobRunner.read(log);
    assertThat(lines).contains("total records=2000");
    assertCommittedToEnd("term-job", "term", 2);
  }

  @Test
  void zooKeeperAddressIsAUsageErrorThatExplainsBootstrapServers() throws Exception {
    JobRun run = jobs.runToEnd("KafkaSingleTopic", "local[2]", "t", "localhost:2181");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(String.join("\n", run.lines())).contains("looks like a ZooKeeper address")
        .contains("bootstrap servers such as localhost:9092");
    JobRun chroot = jobs.runToEnd("KafkaMultiTopics", "local[2]", "t", "zk1:2182/kafka");
    assertThat(chroot.exit()).isEqualTo(2);
  }

  @Test
  void wrongArgumentCountIsAUsageError() throws Exception {
    JobRun run = jobs.runToEnd("KafkaDirectTopic", "local[2]", "t");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(String.join("\n", run.lines())).contains("Missing required parameter: '<bootstrap-servers>'")
        .contains("Usage:");
    JobRun extra = jobs.runToEnd("KafkaSingleTopic", "local[2]", "t", "h:9092", "surplus");
    assertThat(extra.exit()).isEqualTo(2);
  }

  @Test
  void unreachableBrokersFailWithinTheConnectTimeout() throws Exception {
    int nothing = io.sparking.testkit.FreePorts.next();
    long start = System.nanoTime();
    JobRun run = jobs.runToEnd("KafkaSingleTopic", "local[2]", "t", "127.0.0.1:" + nothing,
        "--connect-timeout", "3");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(String.join("\n", run.lines())).contains("Could not reach Kafka at 127.0.0.1:" + nothing);
    assertThat(seconds).as("seconds until the error").isLessThan(60);
  }

  @Test
  void missingTopicFailsWithAHintToCreateIt() throws Exception {
    JobRun run = jobs.runToEnd("KafkaDirectTopic", "local[2]", "nope", KAFKA.broker().bootstrapServers());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(String.join("\n", run.lines())).contains("Topic(s) [nope] do not exist")
        .contains("--create --topic nope");
  }

  private static void assertCommittedToEnd(String group, String topic, int partitions) throws Exception {
    try (Admin admin = KAFKA.broker().admin()) {
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()
          .stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      Map<TopicPartition, Long> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS).entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      assertThat(committed).as("committed offsets of %s on %s", group, topic).isEqualTo(ends);
    }
  }
}
