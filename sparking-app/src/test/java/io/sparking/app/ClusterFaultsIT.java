package io.sparking.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.app.DriverUi.Receiver;
import io.sparking.app.DriverUi.TaskAttempt;
import io.sparking.jobs.FaultScenario;
import io.sparking.jobs.FaultScenario.Launcher;
import io.sparking.jobs.FaultScenario.Result;
import io.sparking.runtime.FreePorts;
import io.sparking.runtime.SparkStandaloneCluster;
import io.sparking.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executor and worker loss on a real standalone cluster lose nothing: a job is submitted as users
 * submit it (client mode, the application jar), ids stream in from a real broker at a bounded rate,
 * and a JVM of the cluster is killed with SIGKILL mid-stream. The driver never stops: Spark retries
 * the lost tasks, restarts a lost receiver on another executor, and the master launches a new
 * executor where cores are free. Every id must reach the job's output ({@link FaultScenario} counts
 * by id); duplicates are counted and each one accounted for.
 *
 * <p>Each fault proves it landed with what the driver itself reports through Spark's monitoring
 * REST API ({@link DriverUi}, the driver's UI on a free port): a task attempt of the stream that
 * failed with its executor and ran again elsewhere, or the receiver's executor before and after.
 *
 * <p>Each scenario has a cluster of its own: a master and two workers of 4 cores and 1g, and the
 * job asks for two executors of 2 cores and 512m, one on each worker. A receiver holds one core of
 * its executor, which keeps the other for the tasks that read the receiver's blocks where they are;
 * whatever dies, a surviving worker has the cores and memory for the executor the master launches
 * in its place.
 *
 * <p>The executor kills run in every build on every Spark line; the worker kill on the default
 * line, with {@code -Pfaults} (or {@code -Dsparking.faults.all=true}). Results:
 * docs/reliability.md.
 */
class ClusterFaultsIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  private static final Duration RECEIVER_RESTART_TIMEOUT = Duration.ofSeconds(90);

  /** The longest a lost task waits to run again and succeed once its executor died. */
  private static final Duration TASK_RERUN_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The receiver scenarios' rate limit: the first half of the ids takes about 20 s to read, so that
   * the receiver is still reading it when the first batch file appears and the kill comes (on this
   * cluster up to about 5 s after the receiver started). The direct stream reads only what each
   * batch's offset ranges allow, so it keeps the usual rate: every batch generated after the kill
   * reads from where the last one ended.
   */
  private static final int RECEIVER_RATE = Math.max(500, FaultScenario.IDS / 40);

  /** The receivers' consumer group session timeout (the broker's minimum is 6 s). */
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path work;

  /**
   * The executor that runs the write-ahead-log receiver dies. Blocks it had stored are in the log
   * and known to the driver, so their batches read them from the log; the receiver starts again on
   * another executor and reads on from the group's committed offsets. The driver reports the
   * receiver's task attempt failed with its executor, and the receiver active on another executor.
   * Records stored before the kill whose offsets were not committed yet are read again from Kafka,
   * and the stream drops them (each block carries its offsets): no duplicates.
   */
  @Test
  @Tag("every-line")
  void kafkaSingleTopicLosesNothingWhenTheReceiversExecutorIsKilled() throws Exception {
    try (SparkStandaloneCluster cluster = startCluster()) {
      DriverUi ui = new DriverUi(FreePorts.next());
      FaultScenario scenario =
          receiverScenario(cluster, ui, "KafkaSingleTopic-receiverExecutorKill");
      Kill kill = new Kill();
      Result result =
          scenario.run(
              s -> {
                String appId = driversApplication(cluster, ui, "KafkaSingleTopic");
                Receiver first = awaitReceiver(ui, appId, receiver -> true);
                kill.what =
                    "executor "
                        + first.executorId()
                        + " (pid "
                        + cluster.killExecutor(appId, first.executorId())
                        + ", the receiver's)";
                kill.atKill(s);
                kill.assertTheReceiverWasReading();
                s.sendRest();
                kill.receiverRestarted(
                    first,
                    awaitReceiver(
                        ui, appId, receiver -> !receiver.executorId().equals(first.executorId())));
                kill.failedAttempts =
                    assertTaskAttemptsFailedWithTheExecutor(ui, appId, first.executorId());
              });
      kill.executors =
          cluster.executorWorkers(cluster.applicationId("KafkaSingleTopic").orElseThrow());
      assertNoLoss(result);
      kill.assertNoDuplicates(result);
    }
  }

  /**
   * An executor dies while it runs a task of the direct stream, a task that has read its offset
   * range but not yet reported its result: {@link ResultHold} keeps succeeded tasks from reporting
   * until the kill. The driver reports that task's attempt failed with its executor and the same
   * task succeeded in a later attempt on another executor, over the same offset range; the driver,
   * which writes the output, never saw the failed attempt's records, so nothing is output twice.
   */
  @Test
  @Tag("every-line")
  void kafkaDirectTopicLosesNothingWhenAnExecutorRunningItsTasksIsKilled() throws Exception {
    try (SparkStandaloneCluster cluster = startCluster()) {
      DriverUi ui = new DriverUi(FreePorts.next());
      ResultHold hold = ResultHold.in(work.resolve("result-hold"));
      FaultScenario scenario =
          FaultScenario.kafka(
              KAFKA.broker(),
              "KafkaDirectTopic-executorKill",
              work,
              "KafkaDirectTopic",
              FaultScenario.ratePerSecond(),
              cluster.masterUrl(),
              submitTo(cluster, ui, hold.sparkOptions()));
      Kill kill = new Kill();
      Result result =
          scenario.run(
              s -> {
                String appId = driversApplication(cluster, ui, "KafkaDirectTopic");
                // The second half now, so that the batches that follow have records to read.
                s.sendRest();
                Held held;
                try {
                  held =
                      await()
                          .atMost(Duration.ofSeconds(90))
                          .pollInterval(Duration.ofMillis(200))
                          .until(
                              () -> holdATaskOfABatchWithRecords(hold, ui, appId),
                              Optional::isPresent)
                          .orElseThrow();
                  kill.what =
                      "executor "
                          + held.task().executorId()
                          + " (pid "
                          + cluster.killExecutor(appId, held.task().executorId())
                          + ", running task "
                          + held.task().taskId()
                          + " of batch "
                          + held.batch().batchTime()
                          + " with "
                          + held.batch().inputSize()
                          + " records)";
                  kill.atKill(s);
                } finally {
                  hold.release();
                }
                kill.heldTask = held.task().taskId();
                kill.rerun = assertTaskRanAgainElsewhere(ui, appId, held.task());
              });
      kill.executors =
          cluster.executorWorkers(cluster.applicationId("KafkaDirectTopic").orElseThrow());
      assertNoLoss(result);
      kill.print(result, "");
      assertThat(result.duplicates()).as("duplicates: %s", result).isZero();
    }
  }

  /**
   * The worker that runs the receiver's executor dies with that executor, as when their machine
   * goes away. The master sees the worker disconnect, the driver loses the executor, and it goes on
   * as when the executor alone dies, on the surviving worker, where the master launches a second
   * executor.
   */
  @Test
  @Tag("default-line")
  @EnabledIfSystemProperty(named = "sparking.faults.all", matches = "true")
  void kafkaSingleTopicLosesNothingWhenTheReceiversWorkerIsKilled() throws Exception {
    try (SparkStandaloneCluster cluster = startCluster()) {
      DriverUi ui = new DriverUi(FreePorts.next());
      FaultScenario scenario = receiverScenario(cluster, ui, "KafkaSingleTopic-receiverWorkerKill");
      Kill kill = new Kill();
      Result result =
          scenario.run(
              s -> {
                String appId = driversApplication(cluster, ui, "KafkaSingleTopic");
                Receiver first = awaitReceiver(ui, appId, receiver -> true);
                String worker = cluster.executorWorkers(appId).get(first.executorId());
                assertThat(worker).as("worker of executor %s", first.executorId()).isNotNull();
                List<Long> executorPids = cluster.killWorker(worker);
                kill.what =
                    "worker "
                        + worker
                        + " with executor "
                        + first.executorId()
                        + " (executor pids "
                        + executorPids
                        + ", the receiver's)";
                kill.atKill(s);
                kill.assertTheReceiverWasReading();
                s.sendRest();
                kill.receiverRestarted(
                    first,
                    awaitReceiver(
                        ui, appId, receiver -> !receiver.executorId().equals(first.executorId())));
                kill.failedAttempts =
                    assertTaskAttemptsFailedWithTheExecutor(ui, appId, first.executorId());
                assertThat(cluster.executorWorkers(appId))
                    .as("executors of the surviving worker")
                    .containsKey(kill.restartedOn.executorId());
              });
      kill.executors =
          cluster.executorWorkers(cluster.applicationId("KafkaSingleTopic").orElseThrow());
      assertNoLoss(result);
      kill.assertNoDuplicates(result);
    }
  }

  private static SparkStandaloneCluster startCluster() {
    return SparkStandaloneCluster.builder()
        .workers(2)
        .coresPerWorker(4)
        .memoryPerWorker("1g")
        .start();
  }

  /**
   * A {@code KafkaSingleTopic} scenario that reads at {@link #RECEIVER_RATE}, and whose consumer
   * group forgets a dead member after 10 s instead of Kafka's default 45 s: until then the group
   * holds the killed receiver's partitions, and the restarted receiver waits.
   */
  private FaultScenario receiverScenario(SparkStandaloneCluster cluster, DriverUi ui, String name) {
    return FaultScenario.kafka(
            KAFKA.broker(),
            name,
            work,
            "KafkaSingleTopic",
            RECEIVER_RATE,
            cluster.masterUrl(),
            submitTo(cluster, ui, List.of()))
        .jobOptions("--consumer-property", "session.timeout.ms=" + SESSION_TIMEOUT.toMillis());
  }

  /**
   * Submits a scenario's job to {@code cluster}: two executors of 2 cores and 512m, which the
   * driver waits for, its UI on {@code ui}'s port, {@code moreOptions}, and the scenario's Spark
   * settings (rate limits) as {@code --conf}.
   */
  private Launcher submitTo(SparkStandaloneCluster cluster, DriverUi ui, List<String> moreOptions) {
    return (log, sparkSettings, args) -> {
      List<String> options =
          new ArrayList<>(
              List.of(
                  "--executor-cores",
                  "2",
                  "--total-executor-cores",
                  "4",
                  "--executor-memory",
                  "512m",
                  "--conf",
                  "spark.scheduler.minRegisteredResourcesRatio=1.0",
                  "--conf",
                  "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
                  "--conf",
                  "spark.ui.enabled=true",
                  "--conf",
                  "spark.ui.port=" + ui.port(),
                  // A taken port must fail the job, not move its UI where the test does not look.
                  "--conf",
                  "spark.port.maxRetries=0"));
      options.addAll(moreOptions);
      sparkSettings.forEach((key, value) -> options.addAll(List.of("--conf", key + "=" + value)));
      String job = args.get(0);
      return cluster.submit(
          job,
          AppJarIT.appJar(),
          "io.sparking.jobs." + job,
          options,
          args.subList(1, args.size()),
          work,
          log,
          null);
    };
  }

  /**
   * The id of the application named {@code name}, as the master knows it, after checking that the
   * driver behind {@code ui} is that application's.
   */
  private static String driversApplication(SparkStandaloneCluster cluster, DriverUi ui, String name)
      throws IOException {
    String appId = cluster.applicationId(name).orElseThrow();
    List<String> served =
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptionsInstanceOf(IOException.class)
            .until(ui::applicationIds, ids -> !ids.isEmpty());
    assertThat(served).as("applications of the driver's UI").containsExactly(appId);
    return appId;
  }

  /**
   * Waits (bounded) until the driver reports an active receiver that {@code matches}; returns the
   * first such.
   */
  private static Receiver awaitReceiver(DriverUi ui, String appId, Predicate<Receiver> matches) {
    return await()
        .atMost(RECEIVER_RESTART_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> ui.receivers(appId).stream().filter(Receiver::active).filter(matches).findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** A task held on its executor, and the batch it belongs to. */
  private record Held(TaskAttempt task, DriverUi.Batch batch) {}

  /**
   * Holds tasks ({@link ResultHold}) until one is held, and returns it with its batch if that batch
   * read records; otherwise lets the tasks go and returns nothing, for the caller to try again. The
   * held task belongs to the batch the driver reports processing: the jobs of one batch run at a
   * time.
   */
  private static Optional<Held> holdATaskOfABatchWithRecords(
      ResultHold hold, DriverUi ui, String appId) throws IOException {
    hold.engage();
    String executor = hold.awaitHeldExecutor(Duration.ofSeconds(60));
    TaskAttempt task =
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    ui.runningTasks(appId).stream()
                        .filter(running -> running.executorId().equals(executor))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    Optional<DriverUi.Batch> batch =
        ui.batches(appId).stream().filter(b -> "PROCESSING".equals(b.status())).findFirst();
    if (batch.isPresent() && batch.get().inputSize() > 0) {
      return Optional.of(new Held(task, batch.get()));
    }
    hold.release();
    return Optional.empty();
  }

  /**
   * Waits (bounded) until the driver reports {@code held}'s attempt failed with its executor and
   * the same task (stage and index) succeeded in a later attempt on another executor; returns that
   * attempt.
   */
  private static TaskAttempt assertTaskRanAgainElsewhere(
      DriverUi ui, String appId, TaskAttempt held) {
    List<TaskAttempt> attempts =
        await()
            .atMost(TASK_RERUN_TIMEOUT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> ui.taskAttempts(appId, held.stageId()),
                all -> rerunOf(held, all).isPresent());
    assertThat(attempts)
        .as("the attempt running on the killed executor")
        .filteredOn(attempt -> attempt.taskId() == held.taskId())
        .singleElement()
        .matches(TaskAttempt::failedWithItsExecutor, "failed with its executor");
    return rerunOf(held, attempts).orElseThrow();
  }

  private static Optional<TaskAttempt> rerunOf(TaskAttempt held, List<TaskAttempt> attempts) {
    boolean heldFailed =
        attempts.stream().anyMatch(a -> a.taskId() == held.taskId() && a.failedWithItsExecutor());
    return attempts.stream()
        .filter(a -> heldFailed && a.index() == held.index() && a.taskId() > held.taskId())
        .filter(a -> "SUCCESS".equals(a.status()) && !a.executorId().equals(held.executorId()))
        .findFirst();
  }

  /**
   * Waits (bounded) until the driver reports task attempts that failed because executor {@code
   * executorId} was lost; returns them.
   */
  private static List<TaskAttempt> assertTaskAttemptsFailedWithTheExecutor(
      DriverUi ui, String appId, String executorId) {
    return await()
        .atMost(TASK_RERUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> ui.attemptsFailedWithExecutor(appId, executorId), failed -> !failed.isEmpty());
  }

  /** {@code stage.index attempt N on executor E: STATUS} for each attempt. */
  private static String describe(List<TaskAttempt> attempts) {
    return attempts.stream()
        .map(
            a ->
                "[stage "
                    + a.stageId()
                    + " task "
                    + a.taskId()
                    + " (index "
                    + a.index()
                    + " attempt "
                    + a.attempt()
                    + ") on executor "
                    + a.executorId()
                    + ": "
                    + a.status()
                    + "]")
        .collect(Collectors.joining(","));
  }

  private static void assertNoLoss(Result result) {
    assertThat(result.unexpected())
        .as("ids in the output that were never sent: %s", result)
        .isZero();
    assertThat(result.lost()).as("ids lost: %s", result).isZero();
    assertThat(result.distinct()).isEqualTo(result.sent());
    assertThat(result.rerunFiles())
        .as("batches run twice (the driver never restarted): %s", result)
        .isZero();
  }

  /** What was killed, and the stream's state right after. */
  private static final class Kill {
    String what;
    Map<String, String> executors;
    Map<TopicPartition, Long> committedAtKill;
    int outputAtKill;
    long killedAtNanos;
    Receiver receiverBefore;
    Receiver restartedOn;
    double restartSeconds;
    List<TaskAttempt> failedAttempts = List.of();
    TaskAttempt rerun;
    long heldTask;

    void atKill(FaultScenario scenario) throws IOException {
      killedAtNanos = System.nanoTime();
      committedAtKill = KAFKA.broker().committedOffsets(scenario.kafkaTopic());
      outputAtKill = scenario.idsSoFar().size();
    }

    /**
     * The kill hit a receiver with records of the first half still to read, not one that had read
     * them all.
     */
    void assertTheReceiverWasReading() {
      assertThat(committedAtKill.values().stream().mapToLong(Long::longValue).sum())
          .as(
              "records the killed receiver had committed of the first half: it was still reading it; if not,"
                  + " lower RECEIVER_RATE")
          .isLessThan(FaultScenario.IDS / 2);
    }

    void receiverRestarted(Receiver before, Receiver after) {
      receiverBefore = before;
      restartedOn = after;
      restartSeconds = (System.nanoTime() - killedAtNanos) / 1e9;
    }

    /**
     * No id twice: what the killed receiver had stored without committing, its successor read again
     * from the committed offsets, and the stream dropped (the first half, all the topic held at the
     * kill, minus the records below the offsets committed then, is what could have come twice).
     */
    void assertNoDuplicates(Result result) {
      long committed = committedAtKill.values().stream().mapToLong(Long::longValue).sum();
      long couldRepeat = FaultScenario.IDS / 2 - committed;
      print(result, " could_repeat_without_the_drop=" + couldRepeat);
      assertThat(result.duplicates())
          .as(
              "duplicates (%d could have come twice without the drop); %s",
              couldRepeat, result.explanation())
          .isZero();
    }

    void print(Result result, String more) {
      long committed = committedAtKill.values().stream().mapToLong(Long::longValue).sum();
      System.out.println(
          "  scenario="
              + result.name()
              + " killed="
              + what
              + " output_at_kill="
              + outputAtKill
              + " committed_at_kill="
              + committed
              + " committed_offsets_at_kill="
              + committedAtKill
              + (restartedOn == null
                  ? ""
                  : " receiver_executor_before="
                      + receiverBefore.executorId()
                      + " receiver_restarted_on_executor="
                      + restartedOn.executorId()
                      + String.format(" receiver_restarted_after_s=%.1f", restartSeconds))
              + (failedAttempts.isEmpty()
                  ? ""
                  : " attempts_failed_with_the_executor=" + describe(failedAttempts))
              + (rerun == null
                  ? ""
                  : " task_rerun=" + describe(List.of(rerun)) + " after_failed_task=" + heldTask)
              + " executors_to_workers="
              + executors
              + more);
    }
  }
}
