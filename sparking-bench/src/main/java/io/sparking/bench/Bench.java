package io.sparking.bench;

import io.sparking.runtime.TempDirs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./sparking bench}: measures records/s of every Kafka and Flume path on the same generated
 * data, next to its reference, then the {@link Sections} (latency at a steady rate, heap under
 * overload, scaling over receivers, partitions and Flume connections), and writes the tables and a
 * chart to {@code bench/results/<timestamp>.md|.png}.
 *
 * <pre>{@code
 * ./sparking bench                                   # 2M records of 100 bytes, 3 runs per path, every section
 * ./sparking bench --records 200000 --runs 1 --only flume
 * ./sparking bench --only kafka --sections latency,scaling
 * }</pre>
 *
 * <p>Exit code 0 when every run produced a figure, 1 when one failed (the report still lists the
 * rest), 2 for a command line that does not parse. A run fails when any id sent is missing or
 * repeated, or one arrives that was not sent; no failed run is run again.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Measures records/s of every Kafka and Flume path next to its reference, latency, heap under"
            + " overload and scaling; writes markdown tables and a PNG chart.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every run produced a figure, each id sent delivered exactly once",
      "1:a run failed (an id lost, repeated or unknown, a timeout, a process that died);"
          + " failed runs are not run again, the rest is still measured and reported",
      "2:the command line does not parse"
    })
public final class Bench implements Callable<Integer> {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  @Spec CommandSpec spec;

  @Option(
      names = "--records",
      paramLabel = "<n>",
      defaultValue = "2000000",
      description = "Records per run (default: ${DEFAULT-VALUE})")
  long records;

  @Option(
      names = "--size",
      paramLabel = "<bytes>",
      defaultValue = "100",
      description =
          "Bytes per record value / event body, 12 (the id every payload starts with) or more"
              + " (default: ${DEFAULT-VALUE})")
  int size;

  @Option(
      names = "--runs",
      paramLabel = "<k>",
      defaultValue = "3",
      description = "Runs per path; the table shows the median (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(
      names = "--only",
      paramLabel = "kafka|flume|<path-id>",
      split = ",",
      description =
          "Run only these groups of paths or paths (ids as the chart names them), comma-separated")
  List<String> only;

  @Option(
      names = "--batch-interval-ms",
      paramLabel = "<ms>",
      defaultValue = "1000",
      description = "Batch (trigger) interval of the Spark paths (default: ${DEFAULT-VALUE})")
  long batchMillis;

  @Option(
      names = "--results-dir",
      paramLabel = "<dir>",
      defaultValue = "bench/results",
      description = "Where <timestamp>.md and <timestamp>.png go (default: ${DEFAULT-VALUE})")
  Path resultsDir;

  @Option(
      names = "--sections",
      paramLabel = "throughput|latency|overload|scaling",
      split = ",",
      description = "Measure only these sections of the report, comma-separated (default: all)")
  List<String> sections;

  @Option(
      names = "--latency-rate",
      paramLabel = "<records/s>",
      defaultValue = "20000",
      description = "Latency section: records/s offered (default: ${DEFAULT-VALUE})")
  double latencyRate;

  @Option(
      names = "--latency-seconds",
      paramLabel = "<s>",
      defaultValue = "30",
      description = "Latency section: how long records are offered (default: ${DEFAULT-VALUE})")
  int latencySeconds;

  @Option(
      names = "--overload-rate",
      paramLabel = "<records/s>",
      defaultValue = "5000",
      description =
          "Overload section: the job's limit per receiver; 10 times that is offered (default: ${DEFAULT-VALUE})")
  long overloadRate;

  @Option(
      names = "--overload-seconds",
      paramLabel = "<s>",
      defaultValue = "30",
      description = "Overload section: how long the overload lasts (default: ${DEFAULT-VALUE})")
  int overloadSeconds;

  @Option(
      names = "--scaling-counts",
      paramLabel = "<n>",
      split = ",",
      defaultValue = "1,2,4",
      description =
          "Scaling section: counts of Kafka receivers and partitions and of Flume avro sinks and"
              + " pull connections (default: ${DEFAULT-VALUE})")
  List<Integer> scalingCounts;

  @Option(
      names = "--scaling-records",
      paramLabel = "<n>",
      defaultValue = "1000000",
      description = "Scaling section: records per run (default: ${DEFAULT-VALUE})")
  long scalingRecords;

  @Option(
      names = "--jfr",
      paramLabel = "<dir>",
      description =
          "Record every receiving JVM with Java Flight Recorder into <dir>/<path-id>-run<k>.jfr")
  Path jfrDir;

  @Override
  public Integer call() throws Exception {
    Set<String> groups = only == null ? BenchConfig.GROUPS : Set.copyOf(only);
    BenchConfig config;
    try {
      config =
          new BenchConfig(
              records,
              size,
              runs,
              groups,
              Duration.ofMillis(batchMillis),
              resultsDir,
              sections == null ? BenchConfig.SECTIONS : Set.copyOf(sections),
              new Sections.Sizes(
                  latencyRate,
                  latencySeconds,
                  overloadRate,
                  overloadSeconds,
                  scalingCounts,
                  scalingRecords),
              Variant.THROUGHPUT);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (jfrDir != null) {
      java.nio.file.Files.createDirectories(jfrDir);
    }
    Outcome outcome = run(config, System.out, jfrDir);
    System.out.println();
    System.out.println(outcome.report().table());
    System.out.println(
        "Written to "
            + outcome.markdown()
            + (outcome.results().isEmpty() ? "" : " (and the chart next to it)"));
    return outcome.exitCode();
  }

  /** What {@link #run} produced: every path's results, the report, and where it was written. */
  record Outcome(
      List<PathResult> results, List<Sections.Row> sections, Report report, Path markdown) {
    /** Whether every path and every section's run produced a figure. */
    boolean ok() {
      return results.stream().allMatch(PathResult::ok)
          && sections.stream().allMatch(r -> r.failure() == null);
    }

    /** The command's exit code: 0 when {@link #ok()}, else 1. */
    int exitCode() {
      return ok() ? 0 : 1;
    }
  }

  /**
   * Runs the benchmark for {@code config}, printing progress to {@code out}, and writes the report.
   */
  static Outcome run(BenchConfig config, PrintStream out) throws Exception {
    return run(config, out, null);
  }

  /**
   * Like {@link #run(BenchConfig, PrintStream)}, recording the receiving JVMs into {@code jfrDir}
   * unless null.
   */
  static Outcome run(BenchConfig config, PrintStream out, Path jfrDir) throws Exception {
    return run(config, Paths.all().stream().filter(config::selects).toList(), out, jfrDir);
  }

  /** Like {@link #run(BenchConfig, PrintStream, Path)}, measuring {@code paths} for throughput. */
  static Outcome run(BenchConfig config, List<MeasuredPath> paths, PrintStream out, Path jfrDir)
      throws Exception {
    String stamp = LocalDateTime.now().format(STAMP);
    String loadBefore = Report.loadAverage();
    Path workDir = TempDirs.create("sparking-bench-");
    out.printf(
        "Benchmark %s: %,d records of %d bytes, %d run(s) per path; receiving JVMs' logs in %s%n",
        stamp, config.records(), config.size(), config.runs(), workDir);
    List<PathResult> results = List.of();
    List<Sections.Row> rows;
    try (BenchEnvironment env = new BenchEnvironment(config)) {
      Runner runner = new Runner(config, env, workDir, out).recordFlightsTo(jfrDir);
      if (config.measures("throughput")) {
        results = runner.runAll(paths);
      }
      rows = Sections.runAll(config, runner, out);
    }
    Report report = new Report(config, results, rows, stamp, loadBefore, Report.loadAverage());
    Path markdown = report.write(stamp);
    Outcome outcome = new Outcome(results, rows, report, markdown);
    // The logs of a run that failed are kept for a look.
    if (outcome.ok()) {
      TempDirs.deleteRecursively(workDir);
    }
    return outcome;
  }

  /** Runs the benchmark from the command line. */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    CommandLine cli = new CommandLine(new Bench());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    System.exit(cli.execute(args));
  }
}
