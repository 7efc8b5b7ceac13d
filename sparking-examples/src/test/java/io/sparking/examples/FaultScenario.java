package io.sparking.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.testkit.JavaProcess;
import io.sparking.testkit.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One zero-loss experiment: sends uniquely numbered ids to a source, runs a job in a JVM of its own with a durable
 * output ({@code --output-dir}), injects a fault once the first batch file exists, and then counts, by id, what
 * reached the output: lost ids (must be none) and duplicates (counted, explained, never hidden).
 *
 * <p>A {@link Launcher} starts the job: by default as a local-mode JVM ({@link JobRunner}); sparking-app's cluster
 * tests submit it to a standalone cluster instead, through this module's test jar.
 *
 * <p>The ids go out in two halves: the first before the job starts, the second after the fault (while a killed
 * driver is down, or after a stopped broker is back), so the fault always hits a stream with work in flight and
 * more to come. The job reads at a bounded rate ({@link #RATE_SECONDS} seconds for all ids), so the first batch
 * file appears well before the first half is through.
 */
public final class FaultScenario {
  /** How many ids a scenario sends: {@code -Dsparking.faults.ids}, 200k in the {@code faults} profile. */
  public static final int IDS = Integer.getInteger("sparking.faults.ids", 20_000);
  /** The receivers' rate limit makes reading all ids take about this long, so faults land mid-stream. */
  static final int RATE_SECONDS = 10;
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
     * Starts the job named {@code args.get(0)} with the rest of {@code args} as its arguments, its output in
     * {@code log}, and {@code sparkSettings} (such as rate limits) in its Spark configuration.
     */
    JavaProcess start(Path log, Map<String, String> sparkSettings, List<String> args);
  }

  /** The outcome, by id. {@code rerunDuplicates} is the part of the duplicates that re-run batch files hold. */
  public record Result(String name, int sent, int distinct, int lost, long duplicates, long rerunDuplicates,
      int unexpected, int batchFiles, int rerunFiles) {
    /** {@code scenario=<name> sent=<n> distinct=<n> lost=<n> duplicates=<n>}. */
    public String line() {
      return "scenario=" + name + " sent=" + sent + " distinct=" + distinct + " lost=" + lost + " duplicates="
          + duplicates;
    }

    /** How the duplicates split into re-run batch files and the rest, and the ids never sent. */
    public String explanation() {
      return "  scenario=" + name + " batch_files=" + batchFiles + " rerun_batch_files=" + rerunFiles
          + " records_in_rerun_batch_files=" + rerunDuplicates + " duplicates_beyond_reruns="
          + (duplicates - rerunDuplicates) + " unexpected_ids=" + unexpected;
    }
  }

  private final String name;
  private final Path dir;
  private final Source source;
  private final Launcher launcher;
  private final Map<String, String> sparkSettings;
  private final List<String> jobArgs;
  private final List<String> ids = KafkaBroker.numbered("id", 0, IDS);
  private final Output output;
  private JavaProcess job;
  private int starts;
  private boolean restSent;
  private long firstRunDurationSeconds;

  /**
   * A scenario named {@code name} (its directory under {@code work}) that runs {@code job} in local mode with
   * {@code jvmFlags} and {@code args} plus the checkpoint and output directories and a 1 s batch interval.
   */
  FaultScenario(String name, Path work, Source source, List<String> jvmFlags, String job, String... args) {
    this(name, work, source, local(work, jvmFlags), Map.of(), job, args);
  }

  private FaultScenario(String name, Path work, Source source, Launcher launcher, Map<String, String> sparkSettings,
      String job, String... args) {
    this.name = name;
    this.dir = work.resolve(name);
    this.source = source;
    this.launcher = launcher;
    this.sparkSettings = Map.copyOf(sparkSettings);
    this.output = new Output(dir.resolve("out"));
    List<String> all = new ArrayList<>(List.of(job));
    all.addAll(List.of(args));
    // A safety stop only: the scenario stops the job by its handle.
    all.addAll(List.of("--checkpoint-dir", dir.resolve("checkpoint").toString(), "--output-dir",
        dir.resolve("out").toString(), "--batch-interval", "1s", "--duration", "900"));
    this.jobArgs = all;
  }

  /**
   * A scenario for a Kafka job: its own topic of 3 partitions on {@code broker}, the group named after the topic
   * ({@link #kafkaTopic()}), and the receivers' rate limit that spreads all ids over about {@link #RATE_SECONDS}.
   */
  static FaultScenario kafka(KafkaBroker broker, String name, Path work, String job) {
    return kafka(broker, name, work, job, ratePerSecond());
  }

  /** Like {@link #kafka(KafkaBroker, String, Path, String)}, reading at most {@code rate} records per second. */
  static FaultScenario kafka(KafkaBroker broker, String name, Path work, String job, int rate) {
    return kafka(broker, name, work, job, rate, "local[2]", local(work, List.of()));
  }

  /**
   * Like {@link #kafka(KafkaBroker, String, Path, String, int)}, for the Spark master {@code master} (the job's
   * first argument), started by {@code launcher}: say, submitted to a standalone cluster.
   */
  public static FaultScenario kafka(KafkaBroker broker, String name, Path work, String job, int rate,
      String master, Launcher launcher) {
    String topic = job + "-" + System.nanoTime();
    broker.createTopic(topic, 3);
    FaultScenario scenario = new FaultScenario(name, work, ids -> broker.produce(topic, ids), launcher,
        Map.of("spark.streaming.receiver.maxRate", String.valueOf(rate),
            "spark.streaming.kafka.maxRatePerPartition", String.valueOf(Math.max(1, rate / 3))),
        job, master, topic, broker.bootstrapServers(), "--group", topic);
    scenario.kafkaTopic = topic;
    return scenario;
  }

  /** Runs the job in a JVM of its own in local mode, with {@code jvmFlags}; Spark settings become system properties. */
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

  /** The topic (and consumer group) of a scenario made by {@link #kafka}; null for other sources. */
  public String kafkaTopic() {
    return kafkaTopic;
  }

  /**
   * Makes the first run stop by itself, gracefully, after {@code seconds} ({@code --duration}) instead of running
   * until the scenario stops it; the fault then sees a job that has ended (see {@link #awaitJobExit}). Restarts
   * keep the long safety duration. Returns this scenario.
   */
  FaultScenario firstRunDuration(long seconds) {
    this.firstRunDurationSeconds = seconds;
    return this;
  }

  /**
   * Adds {@code options} to the job's command line of every run, such as
   * {@code --consumer-property session.timeout.ms=10000}. Returns this scenario.
   */
  public FaultScenario jobOptions(String... options) {
    jobArgs.addAll(List.of(options));
    return this;
  }

  /** Spark's receiver rate limit, per second, that spreads all ids over about {@link #RATE_SECONDS}. */
  public static int ratePerSecond() {
    return Math.max(1_000, IDS / RATE_SECONDS);
  }

  /** Runs the scenario with {@code fault}, prints its line and returns the counts; always stops the job. */
  public Result run(Fault fault) throws Exception {
    try {
      source.send(ids.subList(0, IDS / 2));
      startJob();
      if (firstRunDurationSeconds > 0) {
        // The first run may end by itself before the scenario looks: the fault awaits its exit.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
            .until(() -> output.scan().batchFiles > 0 || !job.isAlive());
      } else {
        awaitOrFail(Duration.ofSeconds(120), "a first batch file", () -> output.scan().batchFiles > 0);
      }
      fault.inject(this);
      sendRest();
      try {
        await().atMost(ALL_IDS_TIMEOUT).pollInterval(Duration.ofMillis(500))
            .until(() -> output.scan().counts.size() >= IDS);
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
    Result result = output.scan().result(name, ids);
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
   * Stops the job with SIGTERM, as an operator or a cluster manager does, and waits (bounded) until it exited;
   * returns its exit code. The job stops gracefully: see docs/reliability.md for what that processes.
   */
  int stopJobGracefully() {
    job.stop(Duration.ofSeconds(60));
    int exit = job.waitFor(Duration.ofSeconds(5)).orElseThrow();
    job.close();
    return exit;
  }

  /** Waits up to {@code timeout} until the job ended by itself (say after {@code --duration}); its exit code. */
  int awaitJobExit(Duration timeout) {
    java.util.OptionalInt exit = job.waitFor(timeout);
    if (exit.isEmpty()) {
      throw new AssertionError(name + ": the job did not end within " + timeout + "; log:\n" + job.logTail(60));
    }
    job.close();
    return exit.getAsInt();
  }

  /** The distinct ids in the output files so far. */
  public Set<String> idsSoFar() throws IOException {
    return Set.copyOf(output.scan().counts.keySet());
  }

  /** How many times each id is in the output files so far (after {@link #run}: in the end). */
  public Map<String, Integer> countsSoFar() throws IOException {
    return Map.copyOf(output.scan().counts);
  }

  /** The ids this scenario sends, in order: the first half before the job starts, the rest after the fault. */
  public List<String> ids() {
    return ids;
  }

  /** Every line the current (or last) run of the job printed so far. */
  public List<String> jobLog() throws IOException {
    return JobRunner.read(job.logFile());
  }

  /** Waits (bounded) until the running job printed a line containing {@code text}; it must keep running. */
  public void awaitJobLogLine(String text, Duration timeout) {
    awaitOrFail(timeout, "log line containing '" + text + "'",
        () -> jobLog().stream().anyMatch(l -> l.contains(text)));
  }

  /** Starts the job again with the very same command line (same checkpoint directory, group and output). */
  void restartJob() {
    startJob();
  }

  /** Sends the second half of the ids (once). */
  public void sendRest() throws Exception {
    if (!restSent) {
      restSent = true;
      source.send(ids.subList(IDS / 2, IDS));
    }
  }

  /** Waits until the running job printed {@code count} more batch lines: it keeps running through the fault. */
  void awaitMoreBatches(int count) throws IOException {
    long before = batchLines();
    awaitOrFail(Duration.ofSeconds(60), count + " more batches", () -> batchLines() >= before + count);
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
    job = launcher.start(log, sparkSettings, args);
  }

  private void awaitOrFail(Duration timeout, String what, java.util.concurrent.Callable<Boolean> condition) {
    try {
      await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
        assertThat(job.isAlive()).as("%s is running; log:%n%s", name, job.logTail(40)).isTrue();
        return condition.call();
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(name + ": no " + what + " within " + timeout + "; job log:\n" + job.logTail(60), e);
    }
  }

  /** Reads the batch files as they appear; each is read once, since a visible file is complete. */
  private static final class Output {
    private final Path dir;
    private final Set<Path> read = new HashSet<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private long lines;
    private long rerunLines;
    private int batchFiles;
    private int rerunFiles;

    Output(Path dir) {
      this.dir = dir;
    }

    synchronized Output scan() throws IOException {
      if (!Files.isDirectory(dir)) {
        return this;
      }
      List<Path> fresh;
      try (Stream<Path> files = Files.list(dir)) {
        fresh = files.filter(f -> f.getFileName().toString().startsWith(BatchOutput.PREFIX))
            .filter(f -> !read.contains(f)).sorted().toList();
      }
      for (Path file : fresh) {
        boolean rerun = file.getFileName().toString().contains(".rerun-");
        List<String> records;
        try {
          records = Files.readAllLines(file);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read batch file " + file, e);
        }
        for (String id : records) {
          counts.merge(id, 1, Integer::sum);
        }
        lines += records.size();
        batchFiles++;
        if (rerun) {
          rerunFiles++;
          rerunLines += records.size();
        }
        read.add(file);
      }
      return this;
    }

    Result result(String name, List<String> sent) {
      Set<String> expected = new HashSet<>(sent);
      int lost = (int) sent.stream().filter(id -> !counts.containsKey(id)).count();
      int unexpected = (int) counts.keySet().stream().filter(id -> !expected.contains(id)).count();
      return new Result(name, sent.size(), counts.size(), lost, lines - counts.size(), rerunLines, unexpected,
          batchFiles, rerunFiles);
    }
  }
}
