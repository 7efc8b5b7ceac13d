package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.jobs.JobRunner.JobRun;
import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FlumeConfFiles;
import io.sparking.runtime.FreePorts;
import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.KafkaBroker;
import io.sparking.testkit.KafkaBrokerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs each Kafka job as its users do, in a JVM of its own through its {@code main}, against a real
 * KAFKA.broker().
 */
@Tag("default-line")
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
    List<String> sent = KafkaBroker.numbered("word", 0, 3_000);
    KAFKA.broker().produce("single", sent);
    JobRun run =
        jobs.runToEnd(
            "KafkaSingleTopic",
            "local[3]",
            "single",
            KAFKA.broker().bootstrapServers(),
            "--group",
            "single-job",
            "--batch-interval",
            "1s",
            "--max-records",
            "3000",
            "--duration",
            "150",
            "--output-dir",
            work.resolve("out").toString());
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(3_000);
    new BatchFiles(work.resolve("out")).assertHoldsExactly(sent);
    assertThat(run.lines())
        .anyMatch(l -> l.matches("batch \\d\\d:\\d\\d:\\d\\d\\.\\d{3} records=\\d+ top=.*"));
    assertEveryBatchLineCountsAndShowsDelays(run);
    assertThat(run.lines())
        .as("one line for the one start of the one receiver")
        .filteredOn(l -> l.startsWith("receiver "))
        .singleElement()
        .asString()
        .matches(
            "receiver ReliableKafkaReceiver-0 \\(stream 0\\) started on executor driver at \\S+");
    assertCommittedToEnd("single-job", "single", 3);
  }

  /**
   * Also checks, on the checkpoint this run leaves, what a start for other sources gets (one Spark
   * run proves both): see {@link #assertCheckpointRefusesOtherSourcesBeforeSparkStarts}.
   */
  @Test
  void kafkaMultiTopicsReceivesExactlyTheProducedRecordsOfEveryTopicAndItsCheckpointRefusesOthers()
      throws Exception {
    List<String> sent = new ArrayList<>();
    for (String topic : List.of("m1", "m2", "m3")) {
      KAFKA.broker().createTopic(topic, 2);
      List<String> values = KafkaBroker.numbered(topic, 0, 1_000);
      KAFKA.broker().produce(topic, values);
      sent.addAll(values);
    }
    JobRun run =
        jobs.runToEnd(
            "KafkaMultiTopics",
            "local[4]",
            "m1,m2,m3",
            KAFKA.broker().bootstrapServers(),
            "--group",
            "multi-job",
            "--batch-interval",
            "1s",
            "--max-records",
            "3000",
            "--duration",
            "150",
            "--repartition",
            "4",
            "--output-dir",
            work.resolve("out").toString());
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(3_000);
    new BatchFiles(work.resolve("out")).assertHoldsExactly(sent);
    // One placement line per receiver: the job (which checkpoints) registers the listener once.
    assertThat(run.receiverLines())
        .as("receiver lines; output:%n%s", run.tail())
        .hasSize(3)
        .extracting(l -> l.replaceAll(".*\\(stream (\\d+)\\).*", "$1"))
        .doesNotHaveDuplicates();
    for (String topic : List.of("m1", "m2", "m3")) {
      assertCommittedToEnd("multi-job", topic, 2);
    }
    assertCheckpointRefusesOtherSourcesBeforeSparkStarts(
        "m1,m2,m3", KAFKA.broker().bootstrapServers(), "multi-job");
  }

  @Test
  void kafkaDirectTopicReceivesExactlyTheProducedRecords() throws Exception {
    KAFKA.broker().createTopic("direct", 4);
    List<String> sent = KafkaBroker.numbered("direct", 0, 4_000);
    KAFKA.broker().produce("direct", sent);
    JobRun run =
        jobs.runToEnd(
            "KafkaDirectTopic",
            "local[2]",
            "direct",
            KAFKA.broker().bootstrapServers(),
            "--group",
            "direct-job",
            "--batch-interval",
            "1s",
            "--max-records",
            "4000",
            "--duration",
            "150",
            "--output-dir",
            work.resolve("out").toString());
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(4_000);
    new BatchFiles(work.resolve("out")).assertHoldsExactly(sent);
    assertEveryBatchLineCountsAndShowsDelays(run);
  }

  /**
   * Orders on Kafka, clicks on Flume (a real agent tailing a file, pulled through Sparking's sink):
   * the running totals per user (mapWithState over the joined per-batch sums) are exact whatever
   * the batch boundaries; users with only orders or only clicks come through the outer join; the
   * recent-clicks window holds at least the clicks of the batch and at most all of them. Malformed
   * lines count as records but feed no user.
   */
  @Test
  void kafkaFlumeJoinKeepsExactRunningTotalsPerUser() throws Exception {
    List<String> orders = new ArrayList<>(List.of("garbage", "eve,not-a-number"));
    Map<String, Long> spent = new TreeMap<>();
    for (int i = 0; i < 300; i++) {
      String user = List.of("alice", "bob", "carol").get(i % 3);
      orders.add(user + "," + (i + 1));
      spent.merge(user, i + 1L, Long::sum);
    }
    List<String> clicks = new ArrayList<>(List.of("no-comma"));
    Map<String, Long> clicked = new TreeMap<>();
    for (int i = 0; i < 200; i++) {
      String user = List.of("alice", "bob", "dave").get(i % 3);
      clicks.add(user + ",/page/" + i);
      clicked.merge(user, 1L, Long::sum);
    }
    KAFKA.broker().createTopic("orders", 2);
    KAFKA.broker().produce("orders", orders);
    Path clickFile = Files.write(work.resolve("clicks.log"), clicks, StandardCharsets.UTF_8);

    try (FlumeAgent agent =
        FlumeConfFiles.agent("pull-single.properties", "agent")
            .placeholder("FLUME_INPUT_FILE", clickFile)
            .listenPort("FLUME_SINK_PORT")
            .start()) {
      int records = orders.size() + clicks.size();
      JobRun run =
          jobs.runToEnd(
              "KafkaFlumeJoin",
              "local[3]",
              "orders",
              KAFKA.broker().bootstrapServers(),
              "127.0.0.1",
              String.valueOf(agent.port("FLUME_SINK_PORT")),
              "--group",
              "join-job",
              "--batch-interval",
              "2s",
              "--max-records",
              String.valueOf(records),
              "--duration",
              "150",
              "--output-dir",
              work.resolve("out").toString());
      assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
      assertThat(run.total()).isEqualTo(records);
      List<String> sent = new ArrayList<>(orders);
      sent.addAll(clicks);
      new BatchFiles(work.resolve("out")).assertHoldsExactly(sent);

      Pattern userLine =
          Pattern.compile("user (\\S+) spent=(\\d+) clicks=(\\d+) recentClicks=(\\d+)");
      Map<String, long[]> last = new TreeMap<>();
      for (String line : run.lines()) {
        Matcher m = userLine.matcher(line);
        if (!m.matches()) {
          continue;
        }
        long[] now = {
          Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))
        };
        long[] before = last.getOrDefault(m.group(1), new long[3]);
        assertThat(now[0]).as("%s: totals never decrease", line).isGreaterThanOrEqualTo(before[0]);
        assertThat(now[2])
            .as("%s: the window holds this batch's clicks, and no more than all", line)
            .isGreaterThanOrEqualTo(now[1] - before[1])
            .isLessThanOrEqualTo(now[1]);
        last.put(m.group(1), now);
      }
      assertThat(last.keySet()).containsExactly("alice", "bob", "carol", "dave");
      for (String user : last.keySet()) {
        assertThat(last.get(user)[0]).as("%s spent", user).isEqualTo(spent.getOrDefault(user, 0L));
        assertThat(last.get(user)[1])
            .as("%s clicks", user)
            .isEqualTo(clicked.getOrDefault(user, 0L));
      }
      assertEveryBatchLineCountsAndShowsDelays(run);
    }
  }

  /**
   * The checkpoint that {@code KafkaMultiTopics} left in {@code work} (topics {@code topics}, one
   * receiver each, so {@code local[4]}, on {@code brokers}, group {@code group}) is refused for
   * other sources before Spark starts, naming what differs and the two ways out: recovered, it
   * would resume the old topics and brokers whatever the command line says. Without its record of
   * the sources (an older Sparking's) it is recovered, with one warning line.
   */
  private void assertCheckpointRefusesOtherSourcesBeforeSparkStarts(
      String topics, String brokers, String group) throws Exception {
    Path checkpoint = work.resolve(".sparking/checkpoints/KafkaMultiTopics").toAbsolutePath();

    JobRun otherTopics =
        jobs.runToEnd("KafkaMultiTopics", "local[4]", "ma,mb", brokers, "--group", group);
    assertThat(otherTopics.exit())
        .as("exit code; output:%n%s", otherTopics.tail())
        .isEqualTo(StreamingJob.FAILED);
    assertThat(otherTopics.output())
        .contains(
            "Checkpoint directory "
                + checkpoint
                + " holds a run of KafkaMultiTopics on"
                + " other sources: topics "
                + topics
                + " there, ma,mb now. Recovering it would resume those")
        .contains("Pass --checkpoint-dir with another directory")
        .contains("or delete " + checkpoint)
        .doesNotContain("Recovered KafkaMultiTopics");
    assertThat(otherTopics.total()).as("Spark never started, so no total").isEqualTo(-1);

    // Nothing listens there: the refusal comes before any broker is contacted.
    String elsewhere = "127.0.0.1:" + FreePorts.next();
    JobRun brokersAndGroup =
        jobs.runToEnd("KafkaMultiTopics", "local[4]", topics, elsewhere, "--group", "other");
    assertThat(brokersAndGroup.exit())
        .as("exit code; output:%n%s", brokersAndGroup.tail())
        .isEqualTo(StreamingJob.FAILED);
    assertThat(brokersAndGroup.output())
        .contains(
            "other sources: brokers "
                + brokers
                + " there, "
                + elsewhere
                + " now; group "
                + group
                + " there, other now.")
        .doesNotContain("Could not reach");

    Files.delete(checkpoint.resolve(CheckpointDirectory.SOURCES_FILE));
    JobRun older =
        jobs.runToEnd("KafkaMultiTopics", "local[4]", topics, brokers, "--duration", "2");
    assertThat(older.exit()).as("exit code; output:%n%s", older.tail()).isEqualTo(0);
    assertThat(older.lines())
        .as("output:%n%s", older.tail())
        .contains(
            "Recovered KafkaMultiTopics from checkpoint "
                + checkpoint
                + ": it resumes what the last run left,"
                + " with that run's streams and settings. Delete the directory to start afresh with new arguments.")
        .filteredOn(l -> l.contains("has no record of the sources it was made for"))
        .hasSize(1);
  }

  @Test
  void kafkaFlumeJoinRefusesTooFewCoresAndABadFlumePort() {
    StringWriter err = new StringWriter();
    CommandLine cli = StreamingJob.commandLine(new Sparking());
    cli.setErr(new PrintWriter(err, true));
    int cores =
        cli.execute(
            "KafkaFlumeJoin",
            "local[2]",
            "orders",
            KAFKA.broker().bootstrapServers(),
            "127.0.0.1",
            "9999");
    assertThat(cores).isEqualTo(StreamingJob.USAGE);
    assertThat(err.toString())
        .contains("master local[2] gives 2 core(s)")
        .contains("pass local[3] or more");
    int port =
        cli.execute(
            "KafkaFlumeJoin",
            "local[3]",
            "orders",
            KAFKA.broker().bootstrapServers(),
            "127.0.0.1",
            "99x");
    assertThat(port).isEqualTo(StreamingJob.USAGE);
    assertThat(err.toString()).contains("port='99x' (for 127.0.0.1) is not a number");
  }

  /**
   * Every batch prints {@code batch <time> records=<n>} (then its top words, where the job reports
   * them), followed by its processing and scheduling delays once Spark reported the batch
   * completed; the lines add up to the total.
   */
  static void assertEveryBatchLineCountsAndShowsDelays(JobRun run) {
    List<String> batches = run.lines().stream().filter(l -> l.startsWith("batch ")).toList();
    assertThat(batches)
        .as("batch lines; output:%n%s", run.tail())
        .isNotEmpty()
        .allMatch(
            l ->
                l.matches(
                    "batch \\d\\d:\\d\\d:\\d\\d\\.\\d{3} records=\\d+( top=\\S*)?( processing=\\d+ms scheduling=\\d+ms)?"));
    // Only batches whose completion was not reported before the stop miss their delays: printed
    // last, at the stop.
    List<Boolean> delays = batches.stream().map(l -> l.contains(" processing=")).toList();
    assertThat(delays).as("batch lines with delays; output:%n%s", run.tail()).startsWith(true);
    assertThat(
            delays.subList(
                delays.indexOf(false) < 0 ? delays.size() : delays.indexOf(false), delays.size()))
        .as("lines without delays come only at the end; output:%n%s", run.tail())
        .doesNotContain(true);
    long sum =
        batches.stream()
            .mapToLong(l -> Long.parseLong(l.replaceAll(".* records=(\\d+).*", "$1")))
            .sum();
    assertThat(sum).as("records over all batch lines").isEqualTo(run.total());
  }

  /**
   * With {@code -Pfaults}: the default run stops this job by SIGTERM mid-stream in {@code
   * GracefulStopTest#kafkaReceiverStoppedBySigtermRestartsOnANewCheckpointAndThenFromItsOwnWithoutRepeats},
   * which asserts the exit code, the total line, the drain that processed everything stored, and
   * that what was output is exactly what the group committed.
   */
  @Test
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void sigtermStopsGracefullyAndPrintsTheTotal() throws Exception {
    KAFKA.broker().createTopic("term", 2);
    KAFKA.broker().produce("term", KafkaBroker.numbered("term", 0, 2_000));
    Path log = work.resolve("term.log");
    try (JavaProcess job =
        jobs.start(
            log,
            "KafkaSingleTopic",
            "local[2]",
            "term",
            KAFKA.broker().bootstrapServers(),
            "--group",
            "term-job",
            "--batch-interval",
            "1s")) {
      await()
          .atMost(JobRunner.JOB_TIMEOUT)
          .until(
              () ->
                  JobRunner.read(log).stream()
                      .anyMatch(l -> l.matches("batch .* records=[1-9].*")));
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
    assertThat(String.join("\n", run.lines()))
        .contains("is a ZooKeeper address")
        .contains("bootstrap servers such as localhost:9092");
    JobRun chroot = jobs.runToEnd("KafkaMultiTopics", "local[2]", "t", "zk1:2182/kafka");
    assertThat(chroot.exit()).isEqualTo(2);
  }

  @Test
  void wrongArgumentCountIsAUsageError() throws Exception {
    JobRun run = jobs.runToEnd("KafkaDirectTopic", "local[2]", "t");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(String.join("\n", run.lines()))
        .contains("Missing required parameter: '<bootstrap-servers>'")
        .contains("Usage:");
    JobRun extra = jobs.runToEnd("KafkaSingleTopic", "local[2]", "t", "h:9092", "surplus");
    assertThat(extra.exit()).isEqualTo(2);
  }

  @Test
  void unreachableBrokersFailWithinTheConnectTimeout() throws Exception {
    int nothing = FreePorts.next();
    long start = System.nanoTime();
    JobRun run =
        jobs.runToEnd(
            "KafkaSingleTopic", "local[2]", "t", "127.0.0.1:" + nothing, "--connect-timeout", "3");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(String.join("\n", run.lines()))
        .contains("Could not reach Kafka at 127.0.0.1:" + nothing);
    assertThat(seconds).as("seconds until the error").isLessThan(60);
  }

  @Test
  void missingTopicFailsWithAHintToCreateIt() throws Exception {
    JobRun run =
        jobs.runToEnd("KafkaDirectTopic", "local[2]", "nope", KAFKA.broker().bootstrapServers());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(String.join("\n", run.lines()))
        .contains("Topic(s) [nope] do not exist")
        .contains("--create --topic nope");
  }

  private static void assertCommittedToEnd(String group, String topic, int partitions)
      throws Exception {
    try (Admin admin = KAFKA.broker().admin()) {
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> ends =
          admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      Map<TopicPartition, Long> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS)
              .entrySet()
              .stream()
              .filter(e -> e.getKey().topic().equals(topic))
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      assertThat(committed).as("committed offsets of %s on %s", group, topic).isEqualTo(ends);
    }
  }
}
