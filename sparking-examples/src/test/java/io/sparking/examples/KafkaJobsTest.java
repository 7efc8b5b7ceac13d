package io.sparking.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.testkit.JavaProcess;
import io.sparking.testkit.JvmFlags;
import io.sparking.testkit.KafkaBroker;
import io.sparking.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Runs each Kafka job as its users do, in a JVM of its own through its {@code main}, against a real KAFKA.broker(). */
class KafkaJobsTest {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path work;

  @Test
  void kafkaSingleTopicReceivesExactlyTheProducedRecords() throws Exception {
    KAFKA.broker().createTopic("single", 3);
    KAFKA.broker().produce("single", KafkaBroker.numbered("word", 0, 3_000));
    JobRun run = runToEnd("KafkaSingleTopic", "local[3]", "single", KAFKA.broker().bootstrapServers(),
        "--group", "single-job", "--batch-interval", "1s", "--max-records", "3000", "--duration", "150");
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(3_000);
    assertThat(run.lines()).anyMatch(l -> l.matches("batch \\d\\d:\\d\\d:\\d\\d\\.\\d{3} records=\\d+ top=.*"));
    assertCommittedToEnd("single-job", "single", 3);
  }

  @Test
  void kafkaMultiTopicsReceivesExactlyTheProducedRecordsOfEveryTopic() throws Exception {
    for (String topic : List.of("m1", "m2", "m3")) {
      KAFKA.broker().createTopic(topic, 2);
      KAFKA.broker().produce(topic, KafkaBroker.numbered(topic, 0, 1_000));
    }
    JobRun run = runToEnd("KafkaMultiTopics", "local[4]", "m1,m2,m3", KAFKA.broker().bootstrapServers(),
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
    JobRun run = runToEnd("KafkaDirectTopic", "local[2]", "direct", KAFKA.broker().bootstrapServers(),
        "--group", "direct-job", "--batch-interval", "1s", "--max-records", "4000", "--duration", "150");
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(4_000);
    assertThat(run.lines()).anyMatch(l -> l.matches("batch \\S+ records=\\d+"));
  }

  @Test
  void sigtermStopsGracefullyAndPrintsTheTotal() throws Exception {
    KAFKA.broker().createTopic("term", 2);
    KAFKA.broker().produce("term", KafkaBroker.numbered("term", 0, 2_000));
    Path log = work.resolve("term.log");
    try (JavaProcess job = start(log, "KafkaSingleTopic", "local[2]", "term", KAFKA.broker().bootstrapServers(),
        "--group", "term-job", "--batch-interval", "1s")) {
      await().atMost(JOB_TIMEOUT).until(() -> read(log).stream().anyMatch(l -> l.matches("batch .* records=[1-9].*")));
      job.stop(Duration.ofSeconds(60));
      assertThat(job.waitFor(Duration.ofSeconds(1))).isPresent();
    }
    List<String> lines = read(log);
    assertThat(lines).contains("total records=2000");
    assertCommittedToEnd("term-job", "term", 2);
  }

  @Test
  void zooKeeperAddressIsAUsageErrorThatExplainsBootstrapServers() throws Exception {
    JobRun run = runToEnd("KafkaSingleTopic", "local[2]", "t", "localhost:2181");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(String.join("\n", run.lines())).contains("looks like a ZooKeeper address")
        .contains("bootstrap servers such as localhost:9092");
    JobRun chroot = runToEnd("KafkaMultiTopics", "local[2]", "t", "zk1:2182/kafka");
    assertThat(chroot.exit()).isEqualTo(2);
  }

  @Test
  void wrongArgumentCountIsAUsageError() throws Exception {
    JobRun run = runToEnd("KafkaDirectTopic", "local[2]", "t");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(String.join("\n", run.lines())).contains("Missing required parameter: '<bootstrap-servers>'")
        .contains("Usage:");
    JobRun extra = runToEnd("KafkaSingleTopic", "local[2]", "t", "h:9092", "surplus");
    assertThat(extra.exit()).isEqualTo(2);
  }

  @Test
  void unreachableBrokersFailWithinTheConnectTimeout() throws Exception {
    int nothing = io.sparking.testkit.FreePorts.next();
    long start = System.nanoTime();
    JobRun run = runToEnd("KafkaSingleTopic", "local[2]", "t", "127.0.0.1:" + nothing, "--connect-timeout", "3");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(String.join("\n", run.lines())).contains("Could not reach Kafka at 127.0.0.1:" + nothing);
    assertThat(seconds).as("seconds until the error").isLessThan(60);
  }

  @Test
  void missingTopicFailsWithAHintToCreateIt() throws Exception {
    JobRun run = runToEnd("KafkaDirectTopic", "local[2]", "nope", KAFKA.broker().bootstrapServers());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(String.join("\n", run.lines())).contains("Topic(s) [nope] do not exist")
        .contains("--create --topic nope");
  }

  private record JobRun(int exit, List<String> lines) {
    String tail() {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    long total() {
      return lines.stream().filter(l -> l.startsWith("total records=")).mapToLong(
          l -> Long.parseLong(l.substring("total records=".length()).trim())).findFirst().orElse(-1);
    }
  }

  private JobRun runToEnd(String... args) throws IOException {
    Path log = work.resolve(args[0] + "-" + System.nanoTime() + ".log");
    try (JavaProcess job = start(log, args)) {
      OptionalInt exit = job.waitFor(JOB_TIMEOUT);
      assertThat(exit).as("%s exited within %s; log:%n%s", args[0], JOB_TIMEOUT, job.logTail(40)).isPresent();
      return new JobRun(exit.getAsInt(), read(log));
    }
  }

  private JavaProcess start(Path log, String... args) {
    List<String> jvm = new ArrayList<>(JvmFlags.forSpark());
    jvm.add("-Xmx1g");
    return JavaProcess.start(args[0], jvm, System.getProperty("java.class.path"), Sparking.class.getName(),
        List.of(args), work, log);
  }

  private static List<String> read(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
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
