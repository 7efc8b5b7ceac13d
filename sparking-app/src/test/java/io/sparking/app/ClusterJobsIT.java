package io.sparking.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.SparkStandaloneCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submits the jobs in the application jar, as users do with spark-submit, to a real standalone
 * cluster (a master and two workers of 2 cores each, in JVMs of their own), in client mode, against
 * a real Kafka broker and a real Flume agent; counts every record in the jobs' durable output
 * ({@code --output-dir}, written by the driver), and checks where Spark placed the receivers.
 *
 * <p>A receiver job run to its end on this Spark, every id once, is {@link RuntimeSmokeIT}'s (on
 * each runtime of the line); here the receiver job is stopped mid-stream.
 */
@Tag("default-line")
class ClusterJobsIT {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(300);

  /** Safety stop: a job that misses records ends by itself, and the test fails on its count. */
  private static final String SAFETY_SECONDS = "200";

  private static SparkStandaloneCluster cluster;
  private static KafkaBroker kafka;

  @TempDir Path work;

  @BeforeAll
  static void startClusterAndBroker() {
    kafka = KafkaBroker.start();
    kafka.createTopics(
        List.of(
            new NewTopic("c-single", 3, (short) 1),
            new NewTopic("c-m1", 2, (short) 1),
            new NewTopic("c-m2", 2, (short) 1),
            new NewTopic("c-direct", 4, (short) 1),
            new NewTopic("c-drain", 3, (short) 1)));
    cluster =
        SparkStandaloneCluster.builder().workers(2).coresPerWorker(2).memoryPerWorker("1g").start();
  }

  @AfterAll
  static void stopClusterAndBroker() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  /** A finished run: exit code, output lines, and the records of its output directory. */
  private record Run(int exit, List<String> lines, List<String> records) {
    String tail() {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    long total() {
      return lines.stream()
          .filter(l -> l.startsWith("total records="))
          .mapToLong(l -> Long.parseLong(l.substring("total records=".length()).trim()))
          .findFirst()
          .orElse(-1);
    }

    /**
     * Receiver name to executor id, from the jobs' {@code receiver ... started on executor ...}
     * lines.
     */
    Map<String, String> receiverExecutors() {
      Map<String, String> placement = new LinkedHashMap<>();
      for (ReceiverStart start : ReceiverStart.in(lines)) {
        placement.put(start.receiver() + "#" + start.stream(), start.executor());
      }
      return placement;
    }
  }

  /**
   * The graceful stop drains a receiver on an executor: the driver's order reaches it over the
   * network, and the run processes exactly what the receiver stored and committed, though records
   * were still flowing.
   */
  @Test
  void kafkaSingleTopicStoppedMidStreamProcessesExactlyWhatItCommitted() throws Exception {
    List<String> sent = KafkaBroker.numbered("drain", 0, 30_000);
    kafka.produce("c-drain", sent);
    Run run =
        submit(
            "KafkaSingleTopic",
            List.of("--conf", "spark.streaming.receiver.maxRate=1500"),
            "c-drain",
            kafka.bootstrapServers(),
            "--group",
            "c-drain",
            "--max-records",
            "6000");
    List<String> committed = kafka.committedValues("c-drain", "c-drain");
    System.out.printf(
        "KafkaSingleTopic drained on the cluster: sent=%d processed=%d committed=%d%n",
        sent.size(), run.records().size(), committed.size());
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.lines())
        .as("the receiver on its executor drained; output:%n%s", run.tail())
        .anyMatch(
            l -> l.contains("Graceful stop: 1 receiver(s) drained, every stored record processed"));
    assertThat(run.records())
        .as("processed, while records were still flowing")
        .hasSizeLessThan(sent.size())
        .hasSizeGreaterThanOrEqualTo(6_000)
        .containsExactlyInAnyOrderElementsOf(committed);
  }

  @Test
  void kafkaMultiTopicsRunsOneReceiverOnEachWorker() throws Exception {
    List<String> sent = new ArrayList<>();
    for (String topic : List.of("c-m1", "c-m2")) {
      List<String> values = KafkaBroker.numbered(topic, 0, 1_500);
      kafka.produce(topic, values);
      sent.addAll(values);
    }
    Run run =
        submit(
            "KafkaMultiTopics",
            List.of(),
            "c-m1,c-m2",
            kafka.bootstrapServers(),
            "--group",
            "c-multi",
            "--max-records",
            "3000",
            "--repartition",
            "4");
    assertExactly(run, sent);

    Map<String, String> receivers = run.receiverExecutors();
    assertThat(receivers).as("receiver placement lines; output:%n%s", run.tail()).hasSize(2);
    String appId = cluster.applicationId("KafkaMultiTopics").orElseThrow();
    Map<String, String> executorWorkers = cluster.executorWorkers(appId);
    List<String> workersOfReceivers =
        receivers.values().stream().map(executorWorkers::get).toList();
    System.out.printf(
        "KafkaMultiTopics %s: receivers on executors %s, executors on workers %s%n",
        appId, receivers, executorWorkers);
    assertThat(workersOfReceivers)
        .as("workers of the receivers %s (executors %s)", receivers, executorWorkers)
        .doesNotContainNull()
        .containsExactlyInAnyOrderElementsOf(
            cluster.workers().stream().map(SparkStandaloneCluster.Worker::id).toList());
  }

  @Test
  void kafkaDirectTopicSubmittedThroughTheLauncherScript() throws Exception {
    List<String> sent = KafkaBroker.numbered("direct", 0, 4_000);
    kafka.produce("c-direct", sent);
    Path root = Path.of(System.getProperty("sparking.root", ".."));
    Path out = work.resolve("out");
    List<String> command =
        new ArrayList<>(
            List.of(
                root.resolve("sparking").toAbsolutePath().toString(),
                "submit",
                "KafkaDirectTopic",
                "--master",
                cluster.masterUrl()));
    command.addAll(sparkOptions());
    command.add("--");
    command.addAll(
        List.of(
            "c-direct", kafka.bootstrapServers(), "--group", "c-direct", "--max-records", "4000"));
    command.addAll(jobOptions("KafkaDirectTopic", out));
    Path log = work.resolve("KafkaDirectTopic.log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("SPARKING_SKIP_BUILD", "1");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    try {
      assertThat(process.waitFor(JOB_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
          .as("the job ended within %s", JOB_TIMEOUT)
          .isTrue();
      assertExactly(
          new Run(process.exitValue(), Files.readAllLines(log), OutputDirectory.records(out)),
          sent);
    } finally {
      // The script execs the JVM: this handle is the driver's.
      process.destroyForcibly();
      process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void flumePullJobOutputsEveryEventOnce() throws Exception {
    Path root = Path.of(System.getProperty("sparking.root", ".."));
    List<String> sent = IntStream.range(0, 2_000).mapToObj(i -> "agent " + i).toList();
    Path input = Files.write(work.resolve("input.log"), sent, StandardCharsets.UTF_8);
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .name("agent")
            .configuration(Files.readString(root.resolve("conf/flume/pull-single.properties")))
            .placeholder("FLUME_INPUT_FILE", input)
            .listenPort("FLUME_SINK_PORT")
            .start()) {
      Run run =
          submit(
              "FlumeSinglePullBased",
              List.of(),
              "127.0.0.1",
              String.valueOf(agent.port("FLUME_SINK_PORT")),
              "--max-records",
              "2000");
      assertExactly(run, sent);
      assertThat(run.receiverExecutors()).as("receiver lines").hasSize(1);
    }
  }

  /**
   * The Structured Streaming job on the cluster: its source pulls on the driver and logs under the
   * checkpoint, the executors read the log's segments and write Spark's file sink.
   */
  @Test
  void flumeStructuredStreamingWritesEveryEventOnceIntoTheFileSink() throws Exception {
    Path root = Path.of(System.getProperty("sparking.root", ".."));
    List<String> sent = IntStream.range(0, 2_000).mapToObj(i -> "structured " + i).toList();
    Path input = Files.write(work.resolve("input.log"), sent, StandardCharsets.UTF_8);
    try (FlumeAgent agent =
        FlumeAgent.builder()
            .name("agent")
            .configuration(Files.readString(root.resolve("conf/flume/pull-single.properties")))
            .placeholder("FLUME_INPUT_FILE", input)
            .listenPort("FLUME_SINK_PORT")
            .start()) {
      Path out = work.resolve("out");
      Run run =
          submit(
              "FlumeStructuredStreaming",
              List.of(),
              List.of(
                  cluster.masterUrl(),
                  "127.0.0.1:" + agent.port("FLUME_SINK_PORT"),
                  "--trigger",
                  "1s",
                  "--max-records",
                  "2000",
                  "--duration",
                  SAFETY_SECONDS,
                  "--output-dir",
                  out.toString(),
                  "--checkpoint-dir",
                  work.resolve("checkpoint-structured").toAbsolutePath().toString()),
              () -> OutputDirectory.records(out, "part-"));
      assertExactly(run, sent);
    }
  }

  /** What a finished run left in its output. */
  @FunctionalInterface
  private interface Output {
    List<String> records() throws IOException;
  }

  /** Submits {@code job} with the cluster's master as its first argument; waits for its end. */
  private Run submit(String job, List<String> moreSparkOptions, String... args) throws IOException {
    Path out = work.resolve("out");
    List<String> appArgs = new ArrayList<>(List.of(cluster.masterUrl()));
    appArgs.addAll(List.of(args));
    appArgs.addAll(jobOptions(job, out));
    return submit(job, moreSparkOptions, appArgs, () -> OutputDirectory.records(out));
  }

  /** Submits {@code job} with {@code appArgs} as they are; waits for its end. */
  private Run submit(String job, List<String> moreSparkOptions, List<String> appArgs, Output output)
      throws IOException {
    List<String> options = new ArrayList<>(sparkOptions());
    options.addAll(moreSparkOptions);
    Path log = work.resolve(job + ".log");
    try (JavaProcess driver =
        cluster.submit(
            job, AppJarIT.appJar(), "io.sparking.jobs." + job, options, appArgs, work, log, null)) {
      OptionalInt exit = driver.waitFor(JOB_TIMEOUT);
      assertThat(exit)
          .as("%s ended within %s; log:%n%s", job, JOB_TIMEOUT, driver.logTail(60))
          .isPresent();
      return new Run(exit.getAsInt(), Files.readAllLines(log), output.records());
    }
  }

  /**
   * Spark options of every submit: small executors, and the driver waits for all 4 cores (both
   * executors) before it starts receivers, so that Spark can spread them.
   */
  private static List<String> sparkOptions() {
    return List.of(
        "--total-executor-cores",
        "4",
        "--executor-memory",
        "512m",
        "--conf",
        "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf",
        "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
        "--conf",
        "spark.ui.enabled=false");
  }

  private List<String> jobOptions(String job, Path out) {
    return List.of(
        "--batch-interval",
        "1s",
        "--duration",
        SAFETY_SECONDS,
        "--output-dir",
        out.toString(),
        "--checkpoint-dir",
        work.resolve("checkpoint-" + job).toAbsolutePath().toString());
  }

  private static void assertExactly(Run run, List<String> sent) {
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).as("printed total; output:%n%s", run.tail()).isEqualTo(sent.size());
    assertThat(run.records())
        .as("records in the output directory")
        .hasSize(sent.size())
        .containsExactlyInAnyOrderElementsOf(sent);
    // For the report: what the job said about its receivers, its first and last batch, and the
    // count.
    run.lines().stream()
        .filter(l -> l.startsWith("receiver ") || l.startsWith("total records="))
        .forEach(System.out::println);
    System.out.printf(
        "%d records sent, %d in the output directory%n", sent.size(), run.records().size());
  }
}
