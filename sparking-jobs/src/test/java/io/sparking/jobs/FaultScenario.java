package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.KafkaBroker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One zero-loss experiment: sends uniquely numbered ids to a source, runs a job in a JVM of its own
 * with a durable output ({@code --output-dir}), injects a fault once the first batch file exists,
 * and then counts, by id, what reached the output: lost ids (must be none) and duplicates (counted,
 * explained, never hidden).
 *
 * <p>The ids go out in two halves: the first before the job starts, the second after the fault
 * (while a killed driver is down, or after a stopped broker is back), so the fault always hits a
 * stream with work in flight and more to come. The job reads at a bounded rate ({@link
 * #RATE_SECONDS} seconds for all ids), so the first batch file appears well before the first half
 * is through. Where the rate is the source's own (a Flume agent fed at a bounded rate: Spark's
 * {@code maxRate} does not reach receivers that store whole agent batches), the first half goes out
 * once the job's receivers run instead ({@link #firstHalfOnceReceiving()}), so that it has not
 * piled up before the job reads it.
 *
 * <p>A {@link Launcher} starts the job: by default as a local-mode JVM ({@link JobRunner});
 * sparking-app's cluster tests submit it to a standalone cluster instead, through this module's
 * test jar.
 */
public final class FaultScenario {
  /**
   * How many ids a scenario sends: {@code -Dsparking.faults.ids}, 200k in the {@code faults}
   * profile.
   */
  public static final int IDS = Integer.getInteger("sparking.faults.ids", 20_000);

  /**
   * The receivers' rate limit makes reading all ids take about this long, so faults land
   * mid-stream.
   */
  static final int RATE_SECONDS = 10;

  /** The partitions of a Kafka scenario's topic. */
  static final int PARTITIONS = 3;

  /** The longest a scenario waits for all ids to reach the output after the fault. */
  static final Duration ALL_IDS_TIMEOUT = Duration.ofSeconds(180);

  /** Where the ids go: a Kafka topic, a file a Flume agent follows. */
  public interface Source {
    void send(List<String> ids) throws Exception;
  }

  /** What happens to the running scenario once its first batch file exists. */
  public interface Fault {
    void inject(FaultScenario scenario) throws Exception;
  }

  /** Starts one run of a scenario's job; the scenario stops it by the returned handle. */
  public interface Launcher {
    /**
     * Starts the job named {@code args.get(0)} with the rest of {@code args} as its arguments, its
     * output in {@code log}, and {@code sparkSettings} (such as rate limits) in its Spark
     * configuration.
     */
    JavaProcess start(Path log, Map<String, String> sparkSettings, List<String> args);
  }

  /**
   * The outcome, by id. {@code rerunDuplicates} is the part of the duplicates that re-run batch
   * files hold. {@code lostByBatchTime} and {@code duplicatesByBatchTime} count the last run of
   * each batch time only: what a sink keyed by batch time holds, where a re-run of a batch replaces
   * the output of its earlier run (the exactly-once-per-batch view).
   */
  public record Result(
      String name,
      int sent,
      int distinct,
      int lost,
      long duplicates,
      long rerunDuplicates,
      int unexpected,
      int batchFiles,
      int rerunFiles,
      int lostByBatchTime,
      long duplicatesByBatchTime) {
    /** The outcome of sending {@code sent}, counted in {@code output}. */
    static Result of(String name, List<String> sent, BatchFiles output) {
      Map<String, Integer> counts = output.counts();
      Map<String, Integer> lastRuns = output.countsOfLastRuns();
      Set<String> expected = new HashSet<>(sent);
      int lost = (int) sent.stream().filter(id -> !counts.containsKey(id)).count();
      int unexpected = (int) counts.keySet().stream().filter(id -> !expected.contains(id)).count();
      return new Result(
          name,
          sent.size(),
          counts.size(),
          lost,
          output.lines() - counts.size(),
          output.rerunLines(),
          unexpected,
          output.files(),
          output.rerunFiles(),
          (int) sent.stream().filter(id -> !lastRuns.containsKey(id)).count(),
          duplicatesOf(lastRuns));
    }

    /** {@code scenario=<name> sent=<n> distinct=<n> lost=<n> duplicates=<n>}. */
    public String line() {
      return "scenario="
          + name
          + " sent="
          + sent
          + " distinct="
          + distinct
          + " lost="
          + lost
          + " duplicates="
          + duplicates;
    }

    /** How the duplicates split into re-run batch files and the rest, and the ids never sent. */
    public String explanation() {
      return "  scenario="
          + name
          + " batch_files="
          + batchFiles
          + " rerun_batch_files="
          + rerunFiles
          + " records_in_rerun_batch_files="
          + rerunDuplicates
          + " duplicates_beyond_reruns="
          + (duplicates - rerunDuplicates)
          + " unexpected_ids="
          + unexpected
          + " lost_by_batch_time="
          + lostByBatchTime
          + " duplicates_by_batch_time="
          + duplicatesByBatchTime;
    }
  }

  /**
   * What the output, and for a Kafka scenario the group's committed offsets, held at one moment:
   * taken right after a fault is injected.
   */
  public record Snapshot(
      Set<String> output, Set<Long> batchTimes, Map<TopicPartition, Long> committedOffsets) {
    /** The records below the committed offsets, summed over the partitions. */
    public long committed() {
      return committedOffsets.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Copies beyond the first of each id: an id seen n times counts n - 1. */
  public static long duplicatesOf(Map<String, Integer> counts) {
    return counts.values().stream().mapToLong(n -> n - 1L).sum();
  }

  private final String name;
  private final Path dir;
  private final Source source;
  private final Launcher launcher;
  private final Map<String, String> sparkSettings;
  private final List<String> jobArgs;
  private final List<String> ids = KafkaBroker.numbered("id", 0, IDS);
  private final BatchFiles output;
  private JavaProcess job;
  private int starts;
  private boolean restSent;
  private long firstRunDurationSeconds;
  private long firstRunMaxRecords;
  private boolean firstHalfOnceReceiving;

  /**
   * A scenario named {@code name} (its directory under {@code work}) that runs {@code job} in local
   * mode with {@code jvmFlags} and {@code args} plus the checkpoint and output directories and a 1
   * s batch interval.
   */
  FaultScenario(
      String name, Path work, Source source, List<String> jvmFlags, String job, String... args) {
    this(name, work, source, local(work, jvmFlags), Map.of(), job, args);
  }

  private FaultScenario(
      String name,
      Path work,
      Source source,
      Launcher launcher,
      Map<String, String> sparkSettings,
      String job,
      String... args) {
    this.name = name;
    this.dir = work.resolve(name);
    this.source = source;
    this.launcher = launcher;
    this.sparkSettings = new java.util.LinkedHashMap<>(sparkSettings);
    this.output = new BatchFiles(dir.resolve("out"));
    List<String> all = new ArrayList<>(List.of(job));
    all.addAll(List.of(args));
    // A safety stop only: the scenario stops the job by its handle.
    all.addAll(
        List.of(
            "--checkpoint-dir",
            dir.resolve("checkpoint").toString(),
            "--output-dir",
            dir.resolve("out").toString(),
            "--batch-interval",
            "1s",
            "--duration",
            "900"));
    this.jobArgs = all;
  }

  /**
   * A scenario for a Kafka job: its own topic of 3 partitions on {@code broker}, the group named
   * after the topic ({@link #kafkaTopic()}), and the receivers' rate limit that spreads all ids
   * over about {@link #RATE_SECONDS}.
   */
  static FaultScenario kafka(KafkaBroker broker, String name, Path work, String job) {
    return kafka(broker, name, work, job, ratePerSecond());
  }

  /**
   * Like {@link #kafka(KafkaBroker, String, Path, String)}, reading at most {@code rate} records
   * per second.
   */
  static FaultScenario kafka(KafkaBroker broker, String name, Path work, String job, int rate) {
    return kafka(broker, name, work, job, rate, "local[2]", local(work, List.of()));
  }

  /**
   * Like {@link #kafka(KafkaBroker, String, Path, String, int)}, for the Spark master {@code
   * master} (the job's first argument), started by {@code launcher}: say, submitted to a standalone
   * cluster.
   */
  public static FaultScenario kafka(
      KafkaBroker broker,
      String name,
      Path work,
      String job,
      int rate,
      String master,
      Launcher launcher) {
    String topic = job + "-" + System.nanoTime();
    broker.createTopic(topic, PARTITIONS);
    FaultScenario scenario =
        new FaultScenario(
            name,
            work,
            ids -> broker.produce(topic, ids),
            launcher,
            Map.of(
                "spark.streaming.receiver.maxRate",
                String.valueOf(rate),
                "spark.streaming.kafka.maxRatePerPartition",
                String.valueOf(ratePerPartition(rate))),
            job,
            master,
            topic,
            broker.bootstrapServers(),
            "--group",
            topic);
    scenario.kafkaTopic = topic;
    scenario.broker = broker;
    return scenario;
  }

  /**
   * Runs the job in a JVM of its own in local mode, with {@code jvmFlags}; Spark settings become
   * system properties.
   */
  private static Launcher local(Path work, List<String> jvmFlags) {
    JobRunner runner = new JobRunner(work);
    return (log, sparkSettings, args) -> {
      List<String> flags = new ArrayList<>(jvmFlags);
      // Spark reads spark.* system properties into the job's configuration.
      sparkSettings.forEach((key, value) -> flags.add("-D" + key + "=" + value));
      return runner.start(log, flags, args.toArray(String[]::new));
    };
  }

  private String kafkaTopic;
  private KafkaBroker broker;

  /**
   * The topic (and consumer group) of a scenario made by {@link #kafka}; null for other sources.
   */
  public String kafkaTopic() {
    return kafkaTopic;
  }

  /**
   * Adds {@code options} to the job's command line of every run, such as {@code --consumer-property
   * session.timeout.ms=10000}. Returns this scenario.
   */
  public FaultScenario jobOptions(String... options) {
    jobArgs.addAll(List.of(options));
    return this;
  }

  /**
   * Puts the job's checkpoint, and with it the write-ahead logs, at {@code uri} (say an hdfs://
   * URI) for every run. Returns this scenario.
   */
  FaultScenario checkpointAt(String uri) {
    jobArgs.set(jobArgs.indexOf("--checkpoint-dir") + 1, uri);
    return this;
  }

  /**
   * Adds {@code settings} to the job's Spark configuration for every run, such as {@code
   * spark.hadoop.*} settings of the Hadoop client. Returns this scenario.
   */
  FaultScenario sparkSettings(Map<String, String> settings) {
    sparkSettings.putAll(settings);
    return this;
  }

  /**
   * Makes the first run stop by itself, gracefully, after {@code seconds} ({@code --duration})
   * instead of running until the scenario stops it; the fault then sees a job that has ended (see
   * {@link #awaitJobExit}). Restarts keep the long safety duration. Returns this scenario.
   */
  FaultScenario firstRunDuration(long seconds) {
    this.firstRunDurationSeconds = seconds;
    return this;
  }

  /**
   * Makes the first run stop by itself, gracefully, once it processed {@code records} ({@code
   * --max-records}), as {@link #firstRunDuration} does after a time. Returns this scenario.
   */
  FaultScenario firstRunMaxRecords(long records) {
    this.firstRunMaxRecords = records;
    return this;
  }

  /**
   * Sends the first half only once the first run printed a receiver's placement line (its receivers
   * run), rather than before it starts: for a source that sets the pace itself. Returns this
   * scenario.
   */
  FaultScenario firstHalfOnceReceiving() {
    this.firstHalfOnceReceiving = true;
    return this;
  }

  /**
   * The direct stream's rate limit ({@code spark.streaming.kafka.maxRatePerPartition}) of a Kafka
   * scenario that reads at most {@code rate} records a second.
   */
  static int ratePerPartition(int rate) {
    return Math.max(1, rate / PARTITIONS);
  }

  /**
   * Spark's receiver rate limit, per second, that spreads all ids over about {@link #RATE_SECONDS}.
   */
  public static int ratePerSecond() {
    return Math.max(1_000, IDS / RATE_SECONDS);
  }

  /**
   * Runs the scenario with {@code fault}, prints its line and returns the counts; always stops the
   * job.
   */
  public Result run(Fault fault) throws Exception {
    try {
      if (firstHalfOnceReceiving) {
        startJob();
        awaitJobLogLine(" started on executor ", Duration.ofSeconds(120));
        source.send(ids.subList(0, IDS / 2));
      } else {
        source.send(ids.subList(0, IDS / 2));
        startJob();
      }
      if (firstRunDurationSeconds > 0 || firstRunMaxRecords > 0) {
        // The first run may end by itself before the scenario looks: the fault awaits its exit.
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> output.scan().files() > 0 || !job.isAlive());
      } else {
        awaitOrFail(Duration.ofSeconds(120), "a first batch file", () -> output.scan().files() > 0);
      }
      fault.inject(this);
      sendRest();
      try {
        await()
            .atMost(ALL_IDS_TIMEOUT)
            .pollInterval(Duration.ofMillis(500))
            .until(() -> output.scan().distinct() >= IDS);
      } catch (ConditionTimeoutException e) {
        // Counted and reported below: a loss must show as numbers, not as a timeout.
      }
      // A graceful stop may still write batches: count after it.
      job.stop(Duration.ofSeconds(60));
    } finally {
      if (job != null) {
        job.close();
      }
    }
    Result result = Result.of(name, ids, output.scan());
    System.out.println(result.line());
    System.out.println(result.explanation());
    return result;
  }

  /** Kills the job's JVM with SIGKILL, as a crashed driver. */
  void killJob() {
    job.kill();
    job.close();
  }

  /**
   * Stops the job with SIGTERM, as an operator or a cluster manager does, and waits (bounded) until
   * it exited; returns its exit code. The job stops gracefully: see docs/reliability.md for what
   * that processes.
   */
  int stopJobGracefully() {
    job.stop(Duration.ofSeconds(60));
    int exit = job.waitFor(Duration.ofSeconds(5)).orElseThrow();
    job.close();
    return exit;
  }

  /**
   * Waits up to {@code timeout} until the job ended by itself (say after {@code --duration}); its
   * exit code.
   */
  int awaitJobExit(Duration timeout) {
    java.util.OptionalInt exit = job.waitFor(timeout);
    if (exit.isEmpty()) {
      throw new AssertionError(
          name + ": the job did not end within " + timeout + "; log:\n" + job.logTail(60));
    }
    job.close();
    return exit.getAsInt();
  }

  /**
   * What the output and, for a Kafka scenario, the group's committed offsets hold now: take it
   * right after a fault, from the fault.
   */
  public Snapshot snapshot() throws IOException {
    BatchFiles now = output.scan();
    return new Snapshot(
        Set.copyOf(now.counts().keySet()),
        now.batchTimes(),
        broker == null ? Map.of() : Map.copyOf(broker.committedOffsets(kafkaTopic)));
  }

  /**
   * Asserts that the fault of {@code atFault} landed while records flowed: ids were in the output
   * then, and ids of the first half (all sent before the fault) reached the output only after it.
   * Returns how many did.
   */
  public long assertRecordsFlowedAt(Snapshot atFault) throws IOException {
    return assertRecordsFlowedAt(atFault, ids.subList(0, IDS / 2), "the first half");
  }

  /**
   * Asserts that the fault of {@code atFault} landed while records flowed: ids were in the output
   * then, and some of {@code before} ({@code what}: ids the source held before the fault) reached
   * the output only after it. Returns how many did.
   */
  long assertRecordsFlowedAt(Snapshot atFault, List<String> before, String what)
      throws IOException {
    Map<String, Integer> counts = countsSoFar();
    long after =
        before.stream()
            .filter(id -> counts.containsKey(id) && !atFault.output().contains(id))
            .count();
    assertThat(atFault.output().size())
        .as("%s: ids in the output at the fault: records reached it before", name)
        .isPositive();
    assertThat(after)
        .as(
            "%s: ids of %s that reached the output only after the fault: records were still"
                + " flowing",
            name, what)
        .isPositive();
    return after;
  }

  /**
   * Asserts that every batch that ran again repeats a batch that was in the output at {@code
   * atKill}: its first run's file existed then, and each later run holds every record of it.
   * Returns the records of the runs that a later run replaces: all a re-run can repeat.
   */
  public long assertRerunsRepeatBatchesOutputBefore(Snapshot atKill) throws IOException {
    long replaced = 0;
    for (Map.Entry<Long, List<List<String>>> batch : output.scan().runsByBatchTime().entrySet()) {
      List<List<String>> runs = batch.getValue();
      if (runs.size() < 2) {
        continue;
      }
      assertThat(atKill.batchTimes())
          .as(
              "%s: batch %d ran again: its first run was output before the kill",
              name, batch.getKey())
          .contains(batch.getKey());
      Set<String> first = new HashSet<>(runs.get(0));
      for (int run = 1; run < runs.size(); run++) {
        Set<String> missing = new HashSet<>(first);
        runs.get(run).forEach(missing::remove);
        assertThat(missing)
            .as(
                "%s: records of batch %d's first run missing from its re-run %d",
                name, batch.getKey(), run)
            .isEmpty();
      }
      for (List<String> earlier : runs.subList(0, runs.size() - 1)) {
        replaced += earlier.size();
      }
    }
    return replaced;
  }

  /** The most records one batch file holds. */
  long largestBatchFile() throws IOException {
    return output.scan().runsByBatchTime().values().stream()
        .flatMap(List::stream)
        .mapToLong(List::size)
        .max()
        .orElse(0);
  }

  /**
   * Asserts, for a Kafka scenario, that every id the last run of each batch holds more than once is
   * at or after the offset the group had committed in its partition at {@code atFault}: read again
   * from Kafka after it had been stored but not committed, never an id whose offset was committed.
   * Returns how many ids were duplicated so.
   */
  public long assertDuplicatesAtOrAfterCommittedOffsets(Snapshot atFault) throws IOException {
    Map<String, Integer> lastRuns = output.scan().countsOfLastRuns();
    List<String> duplicated =
        lastRuns.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    if (duplicated.isEmpty()) {
      return 0;
    }
    Map<String, KafkaBroker.Position> positions = broker.positionsOfValues(kafkaTopic, IDS);
    List<String> beforeCommitted =
        duplicated.stream()
            .filter(
                id -> {
                  KafkaBroker.Position at = positions.get(id);
                  return at.offset()
                      < atFault
                          .committedOffsets()
                          .getOrDefault(new TopicPartition(kafkaTopic, at.partition()), 0L);
                })
            .sorted()
            .toList();
    assertThat(beforeCommitted)
        .as(
            "%s: duplicated ids whose offsets the group had committed at the fault %s",
            name, atFault.committedOffsets())
        .isEmpty();
    return duplicated.size();
  }

  /** The distinct ids in the output files so far. */
  public Set<String> idsSoFar() throws IOException {
    return Set.copyOf(output.scan().counts().keySet());
  }

  /** How many times each id is in the output files so far (after {@link #run}: in the end). */
  public Map<String, Integer> countsSoFar() throws IOException {
    return output.scan().counts();
  }

  /**
   * The ids this scenario sends, in order: the first half before the job starts, the rest after the
   * fault.
   */
  public List<String> ids() {
    return ids;
  }

  /** Every line that every run of the job printed so far, run after run. */
  List<String> allJobLogs() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int run = 1; run <= starts; run++) {
      lines.addAll(JobRunner.read(dir.resolve("job-" + run + ".log")));
    }
    return lines;
  }

  /** Every line the current (or last) run of the job printed so far. */
  public List<String> jobLog() throws IOException {
    return JobRunner.read(job.logFile());
  }

  /**
   * Waits (bounded) until the running job printed a line containing {@code text}; it must keep
   * running.
   */
  public void awaitJobLogLine(String text, Duration timeout) {
    awaitOrFail(
        timeout,
        "log line containing '" + text + "'",
        () -> jobLog().stream().anyMatch(l -> l.contains(text)));
  }

  /**
   * Starts the job again with the very same command line (same checkpoint directory, group and
   * output).
   */
  void restartJob() {
    startJob();
  }

  /**
   * Starts the job again as a deploy of new code does: same sources, group and output, but a new,
   * empty checkpoint directory (a checkpoint holds the old code's classes).
   */
  void restartJobOnNewCheckpoint() {
    int at = jobArgs.indexOf("--checkpoint-dir") + 1;
    jobArgs.set(at, dir.resolve("checkpoint-" + (starts + 1)).toString());
    startJob();
  }

  /** Sends the second half of the ids (once). */
  public void sendRest() throws Exception {
    if (!restSent) {
      restSent = true;
      source.send(ids.subList(IDS / 2, IDS));
    }
  }

  /**
   * Waits until the running job printed {@code count} more batch lines: it keeps running through
   * the fault.
   */
  void awaitMoreBatches(int count) throws IOException {
    awaitMoreBatches(count, Duration.ofSeconds(60));
  }

  /** Like {@link #awaitMoreBatches(int)}, waiting up to {@code timeout}. */
  void awaitMoreBatches(int count, Duration timeout) throws IOException {
    long before = batchLines();
    awaitOrFail(timeout, count + " more batches", () -> batchLines() >= before + count);
  }

  /**
   * Waits until the output holds more than {@code ids} distinct ids: the running job, which must
   * keep running, output ids of its own.
   */
  void awaitMoreIdsThan(int ids) {
    awaitOrFail(
        Duration.ofSeconds(120),
        "more than " + ids + " distinct ids in the output",
        () -> output.scan().distinct() > ids);
  }

  private long batchLines() throws IOException {
    return JobRunner.read(job.logFile()).stream().filter(l -> l.startsWith("batch ")).count();
  }

  private void startJob() {
    Path log = dir.resolve("job-" + (++starts) + ".log");
    List<String> args = new ArrayList<>(jobArgs);
    if (starts == 1 && firstRunDurationSeconds > 0) {
      args.set(args.lastIndexOf("--duration") + 1, String.valueOf(firstRunDurationSeconds));
    }
    if (starts == 1 && firstRunMaxRecords > 0) {
      args.addAll(List.of("--max-records", String.valueOf(firstRunMaxRecords)));
    }
    job = launcher.start(log, sparkSettings, args);
  }

  private void awaitOrFail(
      Duration timeout, String what, java.util.concurrent.Callable<Boolean> condition) {
    try {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                assertThat(job.isAlive())
                    .as("%s is running; log:%n%s", name, job.logTail(40))
                    .isTrue();
                return condition.call();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          name + ": no " + what + " within " + timeout + "; job log:\n" + job.logTail(60), e);
    }
  }
}
