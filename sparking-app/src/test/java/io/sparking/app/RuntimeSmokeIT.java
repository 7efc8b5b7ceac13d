package io.sparking.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.SparkStandaloneCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The line's application jar on the other Spark releases it claims (lines/runtimes.tsv): for each,
 * a standalone master and worker of that release, the jar submitted with that release's own
 * SparkSubmit, a receiver job with the write-ahead log on the executor, stopped gracefully; the
 * output must hold every id sent, once. The release the line compiles against runs the full
 * ClusterJobsIT.
 *
 * <p>The runtimes come from the system property {@code sparking.spark.runtimes} (the line's rows of
 * the table, set in this module's POM next to their modules).
 */
@Tag("every-line")
class RuntimeSmokeIT {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(300);
  private static final int IDS = 2_000;

  private static KafkaBroker kafka;

  @TempDir Path work;

  @BeforeAll
  static void startBroker() {
    kafka = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  static Stream<String> runtimes() {
    String list = System.getProperty("sparking.spark.runtimes", "");
    assertThat(list)
        .as("sparking.spark.runtimes (this line's rows of lines/runtimes.tsv)")
        .isNotBlank();
    return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty());
  }

  @ParameterizedTest(name = "Spark {0}")
  @MethodSource("runtimes")
  void aReceiverJobWithTheWriteAheadLogCountsEveryIdOnce(String runtime) throws Exception {
    String release = runtime.substring(0, runtime.indexOf('_'));
    String topic = "smoke-" + runtime.replace('.', '-');
    kafka.createTopics(List.of(new NewTopic(topic, 2, (short) 1)));
    List<String> sent = KafkaBroker.numbered(topic, 0, IDS);
    kafka.produce(topic, sent);

    Path out = work.resolve("out");
    Path checkpoint = work.resolve("checkpoint");
    Path log = work.resolve("driver.log");
    try (SparkStandaloneCluster cluster =
        SparkStandaloneCluster.builder()
            .runtime(runtime)
            .workers(1)
            .coresPerWorker(2)
            .memoryPerWorker("1g")
            .start()) {
      List<String> appArgs =
          List.of(
              cluster.masterUrl(),
              topic,
              kafka.bootstrapServers(),
              "--group",
              topic,
              "--max-records",
              String.valueOf(IDS),
              "--batch-interval",
              "1s",
              "--duration",
              "200",
              "--output-dir",
              out.toString(),
              "--checkpoint-dir",
              checkpoint.toString());
      List<String> sparkOptions =
          List.of(
              "--total-executor-cores",
              "2",
              "--executor-memory",
              "512m",
              "--conf",
              "spark.ui.enabled=false");
      try (JavaProcess driver =
          cluster.submit(
              "KafkaSingleTopic-" + runtime,
              AppJarIT.appJar(),
              "io.sparking.jobs.KafkaSingleTopic",
              sparkOptions,
              appArgs,
              work,
              log,
              null)) {
        OptionalInt exit = driver.waitFor(JOB_TIMEOUT);
        assertThat(exit)
            .as("the job ended within %s; log:%n%s", JOB_TIMEOUT, driver.logTail(60))
            .isPresent();
        assertThat(exit.getAsInt()).as("exit code; log:%n%s", driver.logTail(80)).isZero();
      }
    }

    List<String> lines = Files.readAllLines(log);
    // The driver ran on the release under test, not on the one the build compiles against.
    assertThat(lines)
        .as("the driver's log names Spark %s", release)
        .anyMatch(l -> l.contains("Running Spark version " + release));
    // The receiver wrote ahead on the executor before the batches read its blocks.
    assertThat(writeAheadLogFiles(checkpoint))
        .as("write-ahead log files under %s/receivedData", checkpoint)
        .isPositive();
    List<String> records = OutputDirectory.records(out);
    Set<String> received = new HashSet<>(records);
    long distinct = received.size();
    System.out.printf(
        "Spark %s: sent=%d output=%d distinct=%d lost=%d duplicates=%d%n",
        runtime,
        sent.size(),
        records.size(),
        distinct,
        sent.stream().filter(id -> !received.contains(id)).count(),
        records.size() - distinct);
    assertThat(records).as("ids in the output").containsExactlyInAnyOrderElementsOf(sent);
  }

  private static long writeAheadLogFiles(Path checkpoint) throws IOException {
    Path received = checkpoint.resolve("receivedData");
    if (!Files.isDirectory(received)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(received)) {
      return files.filter(f -> f.getFileName().toString().startsWith("log-")).count();
    }
  }
}
