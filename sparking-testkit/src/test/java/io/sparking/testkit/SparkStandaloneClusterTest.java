package io.sparking.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** A real standalone master and two workers: they register, run an application's tasks, and stop by handle. */
class SparkStandaloneClusterTest {
  @Test
  void workersRegisterRunExecutorsOfAnApplicationAndStopWithTheirExecutors() {
    List<Long> pids = new ArrayList<>();
    try (SparkStandaloneCluster cluster = SparkStandaloneCluster.builder().workers(2).coresPerWorker(2)
        .memoryPerWorker("1g").start()) {
      JsonNode state = cluster.masterState();
      assertThat(state.path("workers")).hasSize(2);
      for (JsonNode worker : state.path("workers")) {
        assertThat(worker.path("state").asText()).isEqualTo("ALIVE");
        assertThat(worker.path("cores").asInt()).isEqualTo(2);
        assertThat(worker.path("host").asText()).isEqualTo("127.0.0.1");
      }
      assertThat(cluster.workers()).extracting(SparkStandaloneCluster.Worker::id).doesNotContainNull()
          .doesNotHaveDuplicates();

      String appId;
      // The driver runs in this JVM; the executors are the workers' child processes.
      SparkConf conf = new SparkConf().setMaster(cluster.masterUrl()).setAppName("cluster-smoke")
          .set("spark.executor.memory", "512m")
          .set("spark.ui.enabled", "false")
          // Wait for both executors before the first task, so that both workers take part.
          .set("spark.cores.max", "4")
          .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
          .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "90s");
      try (JavaSparkContext sc = new JavaSparkContext(conf)) {
        appId = sc.sc().applicationId();
        List<Integer> numbers = IntStream.rangeClosed(1, 10_000).boxed().toList();
        assertThat(sc.parallelize(numbers, 8).count()).isEqualTo(10_000);
        Map<String, String> placement = cluster.executorWorkers(appId);
        assertThat(placement.values()).as("workers of the executors %s", placement)
            .containsExactlyInAnyOrderElementsOf(cluster.workers().stream()
                .map(SparkStandaloneCluster.Worker::id).toList());
        pids.addAll(descendantsOfDaemons(cluster));
        assertThat(pids).as("master, workers and executors").hasSizeGreaterThanOrEqualTo(5);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> cluster.masterState().path("completedapps").size() == 1);
      assertThat(cluster.applicationId("cluster-smoke")).contains(appId);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().noneMatch(
        pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
  }

  /** The daemons' process ids and those of the executors they started. */
  private static List<Long> descendantsOfDaemons(SparkStandaloneCluster cluster) {
    return cluster.pids().stream()
        .flatMap(pid -> java.util.stream.Stream.concat(java.util.stream.Stream.of(pid),
            ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid)))
        .toList();
  }
}
