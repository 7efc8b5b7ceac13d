package io.sparking.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.SparkStandaloneCluster;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flume.Event;
import org.apache.flume.FlumeException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's jar, as a user submits it: spark-submit resolves Sparking with {@code --packages}
 * from the project-local repository the invoker installed into, and the job runs on a real
 * standalone cluster, counting every id Flume pushed exactly once.
 *
 * <p>Each event is one unique id, so the word count counts ids: a lost event and a duplicate of
 * another cannot cancel out. The sample prints each batch's counts with {@code print()}, which
 * shows a batch's first {@value #PRINTED_PER_BATCH} records only; the test pushes {@value
 * #IDS_PER_PUSH} ids at a time and the next ones only once those were printed, so no batch holds
 * more than it shows, and it checks that the driver never printed print()'s "..." for a cut batch.
 */
class SubmitWithPackagesIT {
  private static final Pattern COUNT = Pattern.compile("^\\((id-\\d+),(\\d+)\\)$");

  /** How many records Spark's {@code DStream.print()} shows of each batch. */
  private static final int PRINTED_PER_BATCH = 10;

  /**
   * Ids pushed at once: half of what a batch shows, so a late copy of one still fits beside them.
   */
  private static final int IDS_PER_PUSH = PRINTED_PER_BATCH / 2;

  private static final int IDS = 50;

  @TempDir Path work;

  @Test
  void sampleJarWithSparkingFromPackagesCountsEveryPushedIdOnceOnACluster() throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    Path repository = target.resolve("local-repo");
    Path jar = target.resolve("its/word-count/target/sparking-sample-word-count-1.0.jar");
    assertThat(jar)
        .as("the sample's jar, built by maven-invoker-plugin before this test (invoker:run)")
        .isRegularFile();
    assertThat(repository.resolve("io/sparking/sparking-flume-3.5_2.13")).isDirectory();
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Map<String, Long> counts = new ConcurrentHashMap<>();
    AtomicBoolean batchCut = new AtomicBoolean();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < IDS; i++) {
      ids.add(String.format("id-%04d", i));
    }
    try (SparkStandaloneCluster cluster =
            SparkStandaloneCluster.builder()
                .workers(1)
                .coresPerWorker(2)
                .memoryPerWorker("1g")
                .start();
        JavaProcess driver =
            cluster.submit(
                "sample-word-count",
                jar,
                "com.example.wordcount.FlumeWordCount",
                List.of(
                    "--packages",
                    "io.sparking:sparking-flume-3.5_2.13:" + System.getProperty("sparking.version"),
                    "--repositories",
                    repository.toUri().toString(),
                    "--conf",
                    "spark.jars.ivy=" + work.resolve("ivy"),
                    "--total-executor-cores",
                    "2"),
                List.of("127.0.0.1", Integer.toString(port), "90"),
                work,
                work.resolve("driver.log"),
                line -> {
                  Matcher m = COUNT.matcher(line.trim());
                  if (m.matches()) {
                    counts.merge(m.group(1), Long.parseLong(m.group(2)), Long::sum);
                  } else if (line.trim().equals("...")) {
                    batchCut.set(true);
                  }
                })) {
      RpcClient client = connect(port, driver);
      try {
        for (int i = 0; i < ids.size(); i += IDS_PER_PUSH) {
          List<String> push = ids.subList(i, Math.min(ids.size(), i + IDS_PER_PUSH));
          List<Event> events = new ArrayList<>();
          push.forEach(id -> events.add(EventBuilder.withBody(id, StandardCharsets.UTF_8)));
          client.appendBatch(events);
          try {
            await("ids " + push + " printed by the driver")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> counts.keySet().containsAll(push));
          } catch (ConditionTimeoutException e) {
            // Counted below, by id: a lost id must show as such, not as a timeout.
            break;
          }
        }
      } finally {
        client.close();
      }
      assertThat(driver.waitFor(Duration.ofSeconds(240)))
          .as("the driver stops after its 90 s: %s", driver.logTail(40))
          .hasValue(0);
      String log = Files.exists(driver.logFile()) ? driver.logTail(40) : "";
      Set<String> sent = Set.copyOf(ids);
      List<String> lost = ids.stream().filter(id -> !counts.containsKey(id)).toList();
      Map<String, Long> duplicated = new TreeMap<>();
      counts.forEach(
          (id, count) -> {
            if (count > 1) {
              duplicated.put(id, count);
            }
          });
      long duplicates = counts.values().stream().mapToLong(n -> n - 1).sum();
      System.out.printf(
          "sample on a cluster: sent=%d distinct=%d lost=%d duplicates=%d%n",
          ids.size(), counts.size(), lost.size(), duplicates);
      assertThat(batchCut.get())
          .as("a batch printed with \"...\": more than print() shows, ids may be hidden; %s", log)
          .isFalse();
      assertThat(lost).as("ids pushed but never counted; driver log %s", log).isEmpty();
      assertThat(duplicated).as("ids counted more than once, with their counts").isEmpty();
      assertThat(counts.keySet()).as("ids counted that were never pushed").isSubsetOf(sent);
      // Spark's ivy names the --repositories entries repo-1, ...: Sparking came from the invoker's.
      assertThat(Files.readString(driver.logFile()))
          .contains(
              "found io.sparking#sparking-flume-3.5_2.13;"
                  + System.getProperty("sparking.version")
                  + " in repo-1");
    }
  }

  /** Flume's client, once the receiver on the cluster listens (after ivy and the executors). */
  private static RpcClient connect(int port, JavaProcess driver) {
    Properties props = new Properties();
    props.setProperty("hosts", "h1");
    props.setProperty("hosts.h1", "127.0.0.1:" + port);
    props.setProperty("batch-size", "100");
    return await("the sample's receiver listening on 127.0.0.1:" + port)
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .failFast("the driver exited: " + driver.logFile(), () -> !driver.isAlive())
        .ignoreExceptionsMatching(
            e -> e instanceof FlumeException && rootCause(e) instanceof ConnectException)
        .until(() -> RpcClientFactory.getInstance(props), client -> true);
  }

  private static Throwable rootCause(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
