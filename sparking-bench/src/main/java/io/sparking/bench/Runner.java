package io.sparking.bench;

import io.sparking.runtime.JavaProcess;
import io.sparking.runtime.JvmFlags;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every path {@link BenchConfig#runs()} times, each run in a receiving JVM of its own (fresh
 * JIT and heap, and one SparkContext per JVM), and prints each figure as it comes.
 */
final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  /** JVM, Spark context and receivers start within this, or the run fails. */
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

  /** How long a paced run warms up before its latency counts. */
  private static final Duration WARM_UP = Duration.ofSeconds(5);

  /** The same heap for every receiving JVM. */
  private static final String RECEIVER_HEAP = "-Xmx2g";

  private final BenchConfig config;
  private final BenchEnvironment env;
  private final Path workDir;
  private final PrintStream out;
  private Path jfrDir;

  Runner(BenchConfig config, BenchEnvironment env, Path workDir, PrintStream out) {
    this.config = config;
    this.env = env;
    this.workDir = workDir;
    this.out = out;
  }

  /**
   * Records every receiving JVM with Java Flight Recorder (the {@code profile} settings) into
   * {@code <dir>/<path-id>-run<k>.jfr}; null records nothing.
   */
  Runner recordFlightsTo(Path dir) {
    this.jfrDir = dir;
    return this;
  }

  /**
   * Every run of every path, round by round (run 1 of every path, then run 2 ...), so that a change
   * in the machine's load over the benchmark spreads over all paths rather than hitting one. A
   * failed run ends its path (with the failure recorded), not the benchmark.
   */
  List<PathResult> runAll(List<MeasuredPath> paths) {
    Map<MeasuredPath, List<RunResult>> runs = new LinkedHashMap<>();
    Map<MeasuredPath, String> failures = new LinkedHashMap<>();
    paths.forEach(p -> runs.put(p, new ArrayList<>()));
    for (int run = 0; run < config.runs() && !Thread.currentThread().isInterrupted(); run++) {
      out.printf("%nRound %d of %d%n", run + 1, config.runs());
      for (MeasuredPath path : paths) {
        if (failures.containsKey(path) || Thread.currentThread().isInterrupted()) {
          continue;
        }
        try {
          RunResult r = measure(path, config, run, "");
          runs.get(path).add(r);
          out.printf(
              "  %-33s %,11.0f records/s  (%,d records in %.2f s; steady %s; peak heap %s; CPU %s)%n",
              path.id(),
              r.rate(),
              r.records(),
              r.elapsedMillis() / 1000.0,
              Report.rate(r.steadyRate()),
              Report.megabytes(r.peakHeapBytes()),
              Report.cpu(r.cpuMicrosPerRecord(), r.busyShare()));
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          failures.put(path, firstLine(e));
          out.printf("  %-33s FAILED: %s%n", path.id(), failures.get(path));
        }
      }
    }
    List<PathResult> results = new ArrayList<>();
    out.printf("%nMedians%n");
    for (MeasuredPath path : paths) {
      PathResult result = new PathResult(path, List.copyOf(runs.get(path)), failures.get(path));
      if (result.ok()) {
        out.printf("  %-33s %,11.0f records/s  %s%n", path.id(), result.medianRate(), path.label());
      }
      results.add(result);
    }
    return results;
  }

  /**
   * One run of {@code path} sized and shaped by {@code runConfig} (a section's variant); what the
   * sections of the report use. A failed run is not run again, whatever failed: a second attempt
   * that passed would hide a path that loses or repeats records, or fails to start, now and then.
   */
  RunResult measure(MeasuredPath path, BenchConfig runConfig, int run, String tag)
      throws Exception {
    try {
      return runOnce(path, runConfig, run, tag);
    } catch (Exception e) {
      LOG.error("Run {} of {} failed; it is not run again", run + 1, path.id() + tag, e);
      throw e;
    }
  }

  /** One run; {@code tag} tells a section's runs apart in the names of logs and recordings. */
  private RunResult runOnce(MeasuredPath path, BenchConfig config, int run, String tag)
      throws Exception {
    String name = path.id() + tag + "-run" + (run + 1);
    try (RunSetup setup = path.prepare(env, config, run)) {
      List<String> argv = receiverRun(path, config, setup.source()).toArgs();
      List<String> jvm = new ArrayList<>(JvmFlags.forSpark());
      jvm.add(RECEIVER_HEAP);
      if (jfrDir != null) {
        jvm.add(
            "-XX:StartFlightRecording=settings=profile,filename="
                + jfrDir.resolve(name + ".jfr").toAbsolutePath());
      }
      ReceiverReport report = new ReceiverReport();
      AtomicReference<Throwable> feedFailure = new AtomicReference<>();
      Thread feeding = null;
      RunSetup.Feeder feeder = null;
      try (JavaProcess receiver =
          JavaProcess.start(
              path.id() + "-" + (run + 1),
              jvm,
              System.getProperty("java.class.path"),
              ReceivingJvm.class.getName(),
              argv,
              workDir,
              workDir.resolve(name + ".log"),
              report)) {
        long start = report.awaitReady(receiver, READY_TIMEOUT, () -> null);
        MachineCpu cpuAtStart = MachineCpu.now();
        setup.receiverReady(report.readyPort());
        feeder = setup.feeder();
        if (feeder != null) {
          RunSetup.Feeder f = feeder;
          feeding =
              new Thread(
                  () -> {
                    try {
                      f.feed();
                    } catch (Throwable e) {
                      feedFailure.set(e);
                    }
                  },
                  "feed-" + path.id());
          feeding.setDaemon(true);
          start = System.currentTimeMillis();
          cpuAtStart = MachineCpu.now();
          feeding.start();
        }
        // The receiving JVM gives up at the run timeout on its own and reports the ids it got (the
        // lost ones among them); waiting a little longer lets that report say what failed.
        long[] done =
            report.awaitDone(receiver, config.runTimeout().plus(EXIT_TIMEOUT), feedFailure::get);
        MachineCpu cpuAtEnd = MachineCpu.now();
        // The source held exactly the ids 0 .. records-1 (the backlog, or what a feeder sent): each
        // must have arrived once, or the figure would count loss or duplicates as throughput.
        requireDelivered(report.delivery(), config.records());
        report.notes().forEach(note -> out.printf("  %-33s %s%n", path.id(), note));
        if (receiver.waitFor(EXIT_TIMEOUT).isEmpty()) {
          LOG.warn("{} did not exit within {} after its run; stopping it", receiver, EXIT_TIMEOUT);
        }
        return new RunResult(
            done[0],
            done[1],
            done[2] - start,
            RunResult.steadyRate(report.reports(), config.records()),
            done[3],
            report.heapSamples(),
            report.latency(),
            MachineCpu.busySeconds(cpuAtStart, cpuAtEnd),
            MachineCpu.busyShare(cpuAtStart, cpuAtEnd));
      } finally {
        if (feeder != null) {
          feeder.close();
        }
        if (feeding != null) {
          feeding.join(30_000);
        }
      }
    }
  }

  /**
   * Fails a run unless the ids {@code 0 .. sent-1} each arrived exactly once and nothing else did:
   * a run that lost records, or counted one twice, has no figure.
   *
   * @param delivery what the receiving JVM reported, or null when it reported nothing
   * @throws IllegalStateException saying how many ids arrived and naming a few, such as {@code ids:
   *     2,000,000 distinct of 2,000,000: 0 lost, 2 duplicates (7, 1040), 0 unknown}
   */
  static void requireDelivered(ReceivedIds.Delivery delivery, long sent) {
    String problem = delivery == null ? "ids: none reported" : delivery.problem(sent);
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
  }

  /** What the receiving JVM of one run of {@code path} under {@code config} needs. */
  static ReceiverRun receiverRun(MeasuredPath path, BenchConfig config, ReceiverRun.Source source) {
    Variant variant = config.variant();
    // The first seconds of a paced run hold the stream's start-up; latency counts from then on.
    OptionalLong warmUp =
        variant.latency()
            ? OptionalLong.of(
                (long) Math.min(config.records() / 4, variant.offeredRate() * WARM_UP.toSeconds()))
            : OptionalLong.empty();
    return new ReceiverRun(
        path.id(),
        new ReceiverRun.Target(config.records(), config.runTimeout(), warmUp),
        new ReceiverRun.StreamingJob(
            config.batchInterval(),
            variant.receivers(),
            variant.maxRatePerReceiver(),
            variant.paced()),
        source);
  }

  private static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int nl = message.indexOf('\n');
    return e.getClass().getSimpleName() + ": " + (nl < 0 ? message : message.substring(0, nl));
  }
}
