package io.sparking.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's sections beyond plain throughput, each a set of runs of some paths under a {@link
 * Variant}:
 *
 * <ul>
 *   <li><b>latency</b>: records offered at a steady rate, each carrying its creation time; p50/p99
 *       from creation to the output of its batch ({@link Paths#latency()});
 *   <li><b>overload</b>: a job limited to a rate, offered ten times that for a while; the receiving
 *       JVM's heap over time ({@link Paths#overload()});
 *   <li><b>scaling</b>: throughput of one path over a number of receivers, partitions or Flume
 *       connections ({@link Paths#scaling()}).
 * </ul>
 *
 * A section takes whatever paths those lists hold, Kafka or Flume, so adding a path to a section is
 * one line there.
 */
final class Sections {
  private Sections() {}

  /**
   * The sizes of the sections.
   *
   * @param latencyRate records/s offered in the latency runs
   * @param latencySeconds how long the latency runs offer records
   * @param overloadMaxRate records/s the job may take per receiver in the overload runs; ten times
   *     that is offered
   * @param overloadSeconds how long the overload runs last
   * @param scalingCounts the receiver and partition counts of the scaling runs
   * @param scalingRecords records per scaling run
   */
  record Sizes(
      double latencyRate,
      int latencySeconds,
      long overloadMaxRate,
      int overloadSeconds,
      List<Integer> scalingCounts,
      long scalingRecords) {
    /**
     * Sized so that a plain {@code ./sparking bench} measures every section within about 15 minutes
     * on 2 cores.
     */
    static final Sizes DEFAULT = new Sizes(20_000, 30, 5_000, 30, List.of(1, 2, 4), 1_000_000);

    /** How many times the job's rate the overload runs offer. */
    static final int OVERLOAD_FACTOR = 10;

    Sizes {
      if (latencyRate <= 0
          || latencySeconds < 1
          || overloadMaxRate < 1
          || overloadSeconds < 1
          || scalingRecords < 1) {
        throw new IllegalArgumentException(
            "section sizes must be positive: latency "
                + latencyRate
                + "/s for "
                + latencySeconds
                + " s, overload "
                + overloadMaxRate
                + "/s for "
                + overloadSeconds
                + " s, scaling "
                + scalingRecords
                + " records");
      }
      for (int count : scalingCounts) {
        if (count < 1 || count > BenchEnvironment.PARTITIONS) {
          throw new IllegalArgumentException(
              "scaling count "
                  + count
                  + " is out of range: pass 1 to "
                  + BenchEnvironment.PARTITIONS
                  + " (the topic's partitions, one or more per receiver)");
        }
      }
      scalingCounts = List.copyOf(scalingCounts);
    }
  }

  /**
   * One run of a section.
   *
   * @param section {@code latency}, {@code overload} or {@code scaling}
   * @param path the path measured
   * @param setting what varied, for the table ("4 receivers", "20,000 records/s offered")
   * @param variant the run's variant
   * @param result the run, or null when it failed
   * @param failure why it failed, or null
   */
  record Row(
      String section,
      MeasuredPath path,
      String setting,
      Variant variant,
      RunResult result,
      String failure) {}

  /**
   * A path measured over a count of something: Kafka receivers or partitions, or Flume connections
   * (the push agent's avro sinks, the pull receiver's connections); {@code dimension} names it in
   * the table.
   */
  record Scaling(MeasuredPath path, String dimension) {
    static final String RECEIVERS = "receivers";
    static final String PARTITIONS = "partitions";
    static final String AVRO_SINKS = "avro sinks";
    static final String CONNECTIONS = "connections";
  }

  /** Runs every selected section for the selected paths, printing each figure as it comes. */
  static List<Row> runAll(BenchConfig config, Runner runner, PrintStream out) {
    List<Row> rows = new ArrayList<>();
    Sizes sizes = config.sizes();
    if (config.measures("latency")) {
      out.printf(
          "%nLatency: %,.0f records/s offered for %d s%n",
          sizes.latencyRate(), sizes.latencySeconds());
      long records = (long) (sizes.latencyRate() * sizes.latencySeconds());
      Variant variant =
          new Variant(sizes.latencyRate(), BenchEnvironment.PARTITIONS, 1, 0, true, 0);
      for (MeasuredPath path : selected(config, Paths.latency())) {
        rows.add(
            run(
                runner,
                config.with(variant, records),
                "latency",
                path,
                Report.rate(sizes.latencyRate()) + " records/s offered",
                out));
      }
    }
    if (config.measures("overload")) {
      double offered = (double) sizes.overloadMaxRate() * Sizes.OVERLOAD_FACTOR;
      out.printf(
          "%nOverload: job limited to %,d records/s, offered %,.0f records/s for %d s%n",
          sizes.overloadMaxRate(), offered, sizes.overloadSeconds());
      // The job takes what its limit allows in the time. Exactly that is offered, ten times as
      // fast:
      // the rest of the run the receiver works through the backlog in the topic at its limit, and
      // the run is done when every id offered arrived once.
      long processed = sizes.overloadMaxRate() * sizes.overloadSeconds();
      Variant variant =
          new Variant(offered, BenchEnvironment.PARTITIONS, 1, sizes.overloadMaxRate(), false, 0);
      for (MeasuredPath path : selected(config, Paths.overload())) {
        rows.add(
            run(
                runner,
                config.with(variant, processed),
                "overload",
                path,
                String.format(
                    java.util.Locale.ROOT,
                    "limit %,d/s, offered %,.0f/s",
                    sizes.overloadMaxRate(),
                    offered),
                out));
      }
    }
    if (config.measures("scaling")) {
      out.printf(
          "%nScaling: %,d records per run over %s receivers, partitions or connections%n",
          sizes.scalingRecords(), sizes.scalingCounts());
      for (Scaling scaling : Paths.scaling()) {
        if (!config.selects(scaling.path())) {
          continue;
        }
        for (int count : sizes.scalingCounts()) {
          Variant variant =
              switch (scaling.dimension()) {
                case Scaling.RECEIVERS -> Variant.THROUGHPUT.withReceivers(count);
                case Scaling.PARTITIONS -> Variant.THROUGHPUT.withPartitions(count);
                default -> Variant.THROUGHPUT.withConnections(count);
              };
          rows.add(
              run(
                  runner,
                  config.with(variant, sizes.scalingRecords()),
                  "scaling",
                  scaling.path(),
                  count + " " + scaling.dimension(),
                  out));
        }
      }
    }
    return rows;
  }

  private static List<MeasuredPath> selected(BenchConfig config, List<MeasuredPath> paths) {
    return paths.stream().filter(config::selects).toList();
  }

  private static Row run(
      Runner runner,
      BenchConfig runConfig,
      String section,
      MeasuredPath path,
      String setting,
      PrintStream out) {
    try {
      RunResult r =
          runner.measure(
              path,
              runConfig,
              0,
              "-" + section + "-" + setting.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", ""));
      out.printf("  %-33s %-32s %s%n", path.id(), setting, Report.summary(section, r));
      return new Row(section, path, setting, runConfig.variant(), r, null);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String failure =
          e.getClass().getSimpleName()
              + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      out.printf("  %-33s %-32s FAILED: %s%n", path.id(), setting, failure);
      return new Row(section, path, setting, runConfig.variant(), null, failure);
    }
  }
}
