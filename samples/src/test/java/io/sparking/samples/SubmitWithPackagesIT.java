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
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flume.Event;
import org.apache.flume.FlumeException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample's jar, as a user submits it: spark-submit resolves Sparking with {@code --packages}
 * from the project-local repository the invoker installed into, and the job runs on a real
 * standalone cluster, counting every word Flume pushed exactly once.
 */
class SubmitWithPackagesIT {
  private static final Pattern COUNT = Pattern.compile("^\\((\\w+),(\\d+)\\)$");

  @TempDir Path work;

  @Test
  void sampleJarWithSparkingFromPackagesCountsEveryPushedWordOnACluster() throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    Path repository = target.resolve("local-repo");
    Path jar = target.resolve("its/word-count/target/sparking-sample-word-count-1.0.jar");
    assertThat(jar)
        .as("the sample's jar, built by maven-invoker-plugin before this test (invoker:run)")
        .isRegularFile();
    assertThat(repository.resolve("io/sparking/sparking-flume")).isDirectory();
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Map<String, Long> counts = new ConcurrentHashMap<>();
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
                    "io.sparking:sparking-flume:" + System.getProperty("sparking.version"),
                    "--repositories",
                    repository.toUri().toString(),
                    "--conf",
                    "spark.jars.ivy=" + work.resolve("ivy"),
                    "--total-executor-cores",
                    "2"),
                List.of("127.0.0.1", Integer.toString(port), "60"),
                work,
                work.resolve("driver.log"),
                line -> {
                  Matcher m = COUNT.matcher(line.trim());
                  if (m.matches()) {
                    counts.merge(m.group(1), Long.parseLong(m.group(2)), Long::sum);
                  }
                })) {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        events.add(
            EventBuilder.withBody(
                "spark flume " + (i % 2 == 0 ? "even" : "odd"), StandardCharsets.UTF_8));
      }
      RpcClient client = connect(port, driver);
      try {
        for (int i = 0; i < events.size(); i += 100) {
          client.appendBatch(events.subList(i, i + 100));
        }
      } finally {
        client.close();
      }
      assertThat(driver.waitFor(Duration.ofSeconds(180)))
          .as("the driver stops after its 60 s: %s", driver.logTail(40))
          .hasValue(0);
      // Spark's ivy names the --repositories entries repo-1, ...: Sparking came from the invoker's.
      assertThat(Files.readString(driver.logFile()))
          .contains(
              "found io.sparking#sparking-flume;"
                  + System.getProperty("sparking.version")
                  + " in repo-1");
      assertThat(counts)
          .as("driver log %s", Files.exists(driver.logFile()) ? driver.logTail(40) : "")
          .isEqualTo(Map.of("spark", 1000L, "flume", 1000L, "even", 500L, "odd", 500L));
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
