package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * A real standalone master and two workers: they register, run an application's tasks, and stop by
 * handle.
 */
class SparkStandaloneClusterTest {
  @Test
  void workersRegisterRunExecutorsOfAnApplicationAndStopWithTheirExecutors() {
    List<Long> pids = new ArrayList<>();
    try (SparkStandaloneCluster cluster =
        SparkStandaloneCluster.builder()
            .workers(2)
            .coresPerWorker(2)
            .memoryPerWorker("1g")
            .start()) {
      JsonNode state = cluster.masterState();
      assertThat(state.path("workers")).hasSize(2);
      for (JsonNode worker : state.path("workers")) {
        assertThat(worker.path("state").asText()).isEqualTo("ALIVE");
        assertThat(worker.path("cores").asInt()).isEqualTo(2);
        assertThat(worker.path("host").asText()).isEqualTo("127.0.0.1");
      }
      assertThat(cluster.workers())
          .extracting(SparkStandaloneCluster.Worker::id)
          .doesNotContainNull()
          .doesNotHaveDuplicates();

      String appId;
      // The driver runs in this JVM; the executors are the workers' child processes.
      SparkConf conf =
          new SparkConf()
              .setMaster(cluster.masterUrl())
              .setAppName("cluster-smoke")
              .set("spark.executor.memory", "512m")
              .set("spark.ui.enabled", "false")
              // Wait for both executors before the first task, so that both workers take part.
              .set("spark.cores.max", "4")
              .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
              .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "90s");
      try (JavaSparkContext sc = new JavaSparkContext(conf)) {
        appId = sc.sc().applicationId();
        // Master, workers and executors run from the runtime's classpath: the Spark of the driver,
        // on each Spark line.
        assertThat(RuntimeClasspath.of("spark"))
            .containsPattern("spark-core_[0-9.]+-" + Pattern.quote(sc.version()) + "\\.jar");
        List<Integer> numbers = IntStream.rangeClosed(1, 10_000).boxed().toList();
        assertThat(sc.parallelize(numbers, 8).count()).isEqualTo(10_000);
        Map<String, String> placement = cluster.executorWorkers(appId);
        assertThat(placement.values())
            .as("workers of the executors %s", placement)
            .containsExactlyInAnyOrderElementsOf(
                cluster.workers().stream().map(SparkStandaloneCluster.Worker::id).toList());
        pids.addAll(descendantsOfDaemons(cluster));
        assertThat(pids).as("master, workers and executors").hasSizeGreaterThanOrEqualTo(5);
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> cluster.masterState().path("completedapps").size() == 1);
      assertThat(cluster.applicationId("cluster-smoke")).contains(appId);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                pids.stream()
                    .noneMatch(
                        pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
  }

  @Test
  void executorsAndWorkersAreKilledByProcessIdAndTheMasterLaunchesNewExecutors() {
    try (SparkStandaloneCluster cluster =
        SparkStandaloneCluster.builder()
            .workers(2)
            .coresPerWorker(2)
            .memoryPerWorker("1g")
            .start()) {
      // Two executors of 1 core, one on each worker: each worker keeps a core for an executor
      // launched in their place.
      SparkConf conf =
          new SparkConf()
              .setMaster(cluster.masterUrl())
              .setAppName("cluster-kill")
              .set("spark.executor.memory", "512m")
              .set("spark.ui.enabled", "false")
              .set("spark.executor.cores", "1")
              .set("spark.cores.max", "2")
              .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
              .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "90s");
      try (JavaSparkContext sc = new JavaSparkContext(conf)) {
        String appId = sc.sc().applicationId();
        List<Integer> numbers = IntStream.rangeClosed(1, 1_000).boxed().toList();
        assertThat(sc.parallelize(numbers, 4).count()).isEqualTo(1_000);
        Map<String, String> placement = cluster.executorWorkers(appId);
        assertThat(placement).containsOnlyKeys("0", "1");
        long pid0 = cluster.executorPid(appId, "0").orElseThrow();
        long pid1 = cluster.executorPid(appId, "1").orElseThrow();
        assertThat(pid0).isNotEqualTo(pid1);
        assertThat(cluster.executorDirectory(appId, "0"))
            .hasValueSatisfying(d -> assertThat(d.resolve("stderr")).exists());

        assertThat(cluster.killExecutor(appId, "0")).isEqualTo(pid0);
        assertThat(ProcessHandle.of(pid0).map(ProcessHandle::isAlive))
            .as("killed executor")
            .isNotEqualTo(Optional.of(true));
        assertThat(cluster.executorPid(appId, "0")).isEmpty();
        // The worker reports the dead executor, and the master launches executor 2 on the free
        // core.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> cluster.executorPid(appId, "2").isPresent());

        String worker = placement.get("1");
        List<Long> killed = cluster.killWorker(worker);
        assertThat(killed).as("executor processes of worker %s", worker).contains(pid1);
        assertThat(killed)
            .allSatisfy(
                pid ->
                    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                        .isNotEqualTo(Optional.of(true)));
        assertThat(cluster.workers())
            .extracting(SparkStandaloneCluster.Worker::id)
            .doesNotContain(worker)
            .hasSize(1);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> workerState(cluster, worker).equals("DEAD"));
        // The application goes on with what the surviving worker runs.
        assertThat(sc.parallelize(numbers, 4).count()).isEqualTo(1_000);
      }
    }
  }

  private static String workerState(SparkStandaloneCluster cluster, String workerId) {
    for (JsonNode worker : cluster.masterState().path("workers")) {
      if (workerId.equals(worker.path("id").asText())) {
        return worker.path("state").asText();
      }
    }
    return "";
  }

  /** The daemons' process ids and those of the executors they started. */
  private static List<Long> descendantsOfDaemons(SparkStandaloneCluster cluster) {
    return cluster.pids().stream()
        .flatMap(
            pid ->
                java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(pid),
                    ProcessHandle.of(pid).stream()
                        .flatMap(ProcessHandle::descendants)
                        .map(ProcessHandle::pid)))
        .toList();
  }
}
