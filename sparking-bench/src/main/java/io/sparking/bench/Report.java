package io.sparking.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The benchmark's report: a markdown table (path, median records/s, min–max, steady-state rate,
 * peak heap, ratio to its reference against the goal) and a bar chart of the medians, written next
 * to each other.
 */
final class Report {
  private final BenchConfig config;
  private final List<PathResult> results;
  private final String startedAt;
  private final String loadBefore;
  private final String loadAfter;
  private final List<Sections.Row> rows;

  Report(
      BenchConfig config,
      List<PathResult> results,
      String startedAt,
      String loadBefore,
      String loadAfter) {
    this(config, results, List.of(), startedAt, loadBefore, loadAfter);
  }

  Report(
      BenchConfig config,
      List<PathResult> results,
      List<Sections.Row> rows,
      String startedAt,
      String loadBefore,
      String loadAfter) {
    this.rows = List.copyOf(rows);
    this.config = config;
    this.results = results;
    this.startedAt = startedAt;
    this.loadBefore = loadBefore;
    this.loadAfter = loadAfter;
  }

  /**
   * The machine's load averages as {@code /proc/loadavg} gives them (1, 5, 15 min), or the JVM's
   * 1-min figure.
   */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  /** The markdown report: a header with the sizes and the machine, then the table. */
  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Sparking benchmark ").append(startedAt).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d records of %d bytes, %d run(s) per path (median), batch interval %d ms;"
                + " %d cores, Java %s; load average (1/5/15 min) before %s, after %s.%n%n",
            config.records(),
            config.size(),
            config.runs(),
            config.batchInterval().toMillis(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            loadBefore,
            loadAfter));
    md.append(throughputTable());
    md.append(
        "\nrecords/s: from the receiver's start (Kafka: consumer created or stream started; Flume: feeding"
            + " started) to the moment its count reached the target. steady: the records after the path's first progress"
            + " report (a Spark batch, a poll, an answered or acked batch) over the time from its end to the report that"
            + " reached the target, the same for every path (docs/performance.md)."
            + " heap: peak used heap of the receiving JVM (sampled every 50 ms). CPU per record: CPU time of the whole"
            + " machine (every process of the run: receiving JVM, broker or agents, feeder) while the clock ran, over the"
            + " records counted; busy: the share of all cores in use meanwhile.\n");
    md.append(sectionTables());
    return md.toString();
  }

  /** The tables alone: throughput, then latency, overload and scaling when measured. */
  String table() {
    return throughputTable() + sectionTables();
  }

  /** One line about a section's run, as printed while the bench goes on. */
  static String summary(String section, RunResult r) {
    return switch (section) {
      case "latency" ->
          r.latency() == null
              ? "no latency reported"
              : String.format(
                  Locale.ROOT,
                  "p50 %,d ms, p99 %,d ms, max %,d ms over %,d records",
                  r.latency()[1],
                  r.latency()[2],
                  r.latency()[3],
                  r.latency()[0]);
      case "overload" ->
          String.format(
              Locale.ROOT,
              "%s records/s taken (steady); peak heap %s; %s",
              rate(r.steadyRate()),
              megabytes(r.peakHeapBytes()),
              plateau(r.heapSamples()));
      default ->
          String.format(Locale.ROOT, "%,.0f records/s (steady %s)", r.rate(), rate(r.steadyRate()));
    };
  }

  /**
   * Whether the heap stopped growing, from the one-second samples: the heap left after the
   * collections (what survives; the peaks also hold garbage not collected yet) over the last third
   * of the run against the middle third (the first third holds start-up). Bounded when the last
   * third's maximum is no more than 10% (or 64 MB) above the middle third's.
   */
  static String plateau(List<long[]> samples) {
    if (samples.size() < 6) {
      return "too short to tell";
    }
    int third = samples.size() / 3;
    // After-GC figures once the run has some in its middle and last thirds; else the peaks.
    int column =
        samples.subList(third, samples.size()).stream().allMatch(s -> s.length > 2 && s[2] > 0)
            ? 2
            : 1;
    long middle =
        samples.subList(third, 2 * third).stream().mapToLong(s -> s[column]).max().orElse(0);
    long last =
        samples.subList(2 * third, samples.size()).stream()
            .mapToLong(s -> s[column])
            .max()
            .orElse(0);
    boolean flat = last <= Math.max(middle * 1.1, middle + 64L * 1024 * 1024);
    return String.format(
        Locale.ROOT,
        "%s (%s: middle third %s, last third %s)",
        flat ? "plateaued" : "STILL GROWING",
        column == 2 ? "after GC" : "peaks",
        megabytes(middle),
        megabytes(last));
  }

  private String sectionTables() {
    StringBuilder t = new StringBuilder();
    List<Sections.Row> latency = rows.stream().filter(r -> r.section().equals("latency")).toList();
    if (!latency.isEmpty()) {
      long budget = config.batchInterval().toMillis() + 1000;
      t.append(
          String.format(
              Locale.ROOT,
              "%n## Latency%n%nRecords offered at a steady rate for %d s, each carrying"
                  + " its creation time; latency is creation to the end of its batch's output, the first 5 s (or quarter)"
                  + " left out. Goal: p99 ≤ batch interval + 1 s = %,d ms.%n%n",
              config.sizes().latencySeconds(),
              budget));
      t.append(
          "| path | offered | p50 | p99 | max | records measured | goal |\n|---|---|---:|---:|---:|---:|---|\n");
      for (Sections.Row row : latency) {
        t.append("| ").append(row.path().label()).append(" | ").append(row.setting()).append(" | ");
        long[] l = row.result() == null ? null : row.result().latency();
        if (l == null) {
          t.append("failed: ")
              .append(String.valueOf(row.failure()).replace('|', '/'))
              .append(" | | | | |\n");
          continue;
        }
        t.append(
            String.format(
                Locale.ROOT,
                "%,d ms | %,d ms | %,d ms | %,d | p99 ≤ %,d ms %s |%n",
                l[1],
                l[2],
                l[3],
                l[0],
                budget,
                l[2] <= budget ? "met" : "NOT met"));
      }
    }
    List<Sections.Row> overload =
        rows.stream().filter(r -> r.section().equals("overload")).toList();
    if (!overload.isEmpty()) {
      t.append(
          String.format(
              Locale.ROOT,
              "%n## Heap under overload%n%nThe job is limited (receiver maxRate and"
                  + " backpressure) and offered %d× its limit; heap of the receiving JVM, one sample per second (the peak of"
                  + " that second).%n%n",
              Sections.Sizes.OVERLOAD_FACTOR));
      t.append(
          "| path | load | records/s taken (steady) | peak heap | bounded? | heap over time: peak/after GC (MB, per 5 s) |\n"
              + "|---|---|---:|---:|---|---|\n");
      for (Sections.Row row : overload) {
        if (!startRow(t, row)) {
          continue;
        }
        RunResult r = row.result();
        StringBuilder trace = new StringBuilder();
        List<long[]> samples = r.heapSamples();
        for (int i = 0; i < samples.size(); i += 5) {
          List<long[]> window = samples.subList(i, Math.min(samples.size(), i + 5));
          long peak = window.stream().mapToLong(s -> s[1]).max().orElse(0);
          long afterGc = window.stream().mapToLong(s -> s.length > 2 ? s[2] : 0).max().orElse(0);
          trace
              .append(trace.length() == 0 ? "" : ", ")
              .append(peak / (1024 * 1024))
              .append('/')
              .append(afterGc / (1024 * 1024));
        }
        t.append(rate(r.steadyRate()))
            .append(" | ")
            .append(megabytes(r.peakHeapBytes()))
            .append(" | ")
            .append(plateau(samples))
            .append(" | ")
            .append(trace)
            .append(" |\n");
      }
    }
    List<Sections.Row> scaling = rows.stream().filter(r -> r.section().equals("scaling")).toList();
    if (!scaling.isEmpty()) {
      t.append(
          String.format(
              Locale.ROOT,
              "%n## Scaling%n%n%,d records per run, one run each; records/s as in the"
                  + " throughput table.%n%n",
              config.sizes().scalingRecords()));
      t.append(
          "| path | setting | records/s | steady records/s | CPU per record (busy) | vs first setting |\n"
              + "|---|---|---:|---:|---:|---:|\n");
      java.util.Map<String, Double> firstRate = new java.util.HashMap<>();
      for (Sections.Row row : scaling) {
        if (!startRow(t, row)) {
          continue;
        }
        double r = row.result().rate();
        double base =
            firstRate.computeIfAbsent(
                row.path().id() + row.setting().replaceAll("^\\d+ ", ""), k -> r);
        t.append(rate(r))
            .append(" | ")
            .append(rate(row.result().steadyRate()))
            .append(" | ")
            .append(cpu(row.result().cpuMicrosPerRecord(), row.result().busyShare()))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%.2f×", r / base))
            .append(" |\n");
      }
    }
    return t.toString();
  }

  /** The throughput table alone. */
  String throughputTable() {
    Map<String, PathResult> byId =
        results.stream().collect(Collectors.toMap(r -> r.path().id(), Function.identity()));
    StringBuilder t = new StringBuilder();
    t.append(
        "| path | records/s (median) | min–max | steady records/s | peak heap | CPU per record (busy) |"
            + " vs reference | goal |\n");
    t.append("|---|---:|---:|---:|---:|---:|---|---|\n");
    for (PathResult r : results) {
      t.append("| ").append(r.path().label()).append(" | ");
      if (!r.ok()) {
        t.append("failed: ").append(r.failure().replace('|', '/')).append(" | | | | | | |\n");
        continue;
      }
      t.append(rate(r.medianRate()))
          .append(" | ")
          .append(rate(r.minRate()))
          .append("–")
          .append(rate(r.maxRate()))
          .append(" | ")
          .append(rate(r.medianSteadyRate()))
          .append(" | ")
          .append(megabytes((long) r.medianPeakHeapBytes()))
          .append(" | ")
          .append(cpu(r.medianCpuMicrosPerRecord(), r.medianBusyShare()))
          .append(" | ");
      PathResult ref = r.path().referenceId() == null ? null : byId.get(r.path().referenceId());
      List<Goal> goals = r.path().goals();
      if (ref != null && ref.ok()) {
        // Like by like: whole run over whole run, steady over steady.
        t.append(
            String.format(
                Locale.ROOT,
                "%.2f× %s (steady %.2f×)",
                r.medianRate() / ref.medianRate(),
                ref.path().id(),
                r.medianSteadyRate() / ref.medianSteadyRate()));
        t.append(" | ");
        t.append(goals.stream().map(g -> g.verdict(r, ref)).collect(Collectors.joining("; ")));
      } else if (r.path().referenceId() != null) {
        t.append("(").append(r.path().referenceId()).append(" not run) | ");
        t.append(goals.stream().map(Goal::text).collect(Collectors.joining("; ")));
      } else {
        t.append(" | ");
      }
      t.append(" |\n");
    }
    return t.toString();
  }

  /**
   * Writes {@code <stamp>.md} and, when throughput was measured, {@code <stamp>.png} into the
   * results directory; returns the markdown file.
   */
  Path write(String stamp) throws IOException {
    Files.createDirectories(config.resultsDir());
    Path md = config.resultsDir().resolve(stamp + ".md");
    // The chart shows the throughput table; without it (--sections leaving it out) there is none.
    boolean charted = !results.isEmpty();
    Files.writeString(
        md,
        charted
            ? markdown()
                .replace(
                    "\n\nrecords/s:", "\n\n![records/s per path](" + stamp + ".png)\n\nrecords/s:")
            : markdown(),
        StandardCharsets.UTF_8);
    if (charted) {
      chart(config.resultsDir().resolve(stamp + ".png"));
    }
    return md;
  }

  private void chart(Path png) throws IOException {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(1200)
            .height(650)
            .title(
                String.format(
                    Locale.ROOT,
                    "Sparking benchmark: %,d records of %d bytes, median of %d run(s)",
                    config.records(),
                    config.size(),
                    config.runs()))
            .xAxisTitle("path")
            .yAxisTitle("records/s")
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(30);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setDecimalPattern("#,###");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    List<String> names = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    for (PathResult r : results) {
      names.add(r.path().id());
      rates.add(r.ok() ? r.medianRate() : 0.0);
    }
    chart.addSeries("records/s", names, rates);
    String file = png.toString();
    BitmapEncoder.saveBitmap(
        chart, file.substring(0, file.length() - ".png".length()), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A rate for the table, or "n/a". */
  static String rate(double perSecond) {
    return Double.isNaN(perSecond) ? "n/a" : String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  /**
   * Machine CPU per record and the share of all cores busy while the clock ran, such as {@code 5.4
   * µs (97%)}, or "n/a" off Linux.
   */
  static String cpu(double microsPerRecord, double busyShare) {
    return Double.isNaN(microsPerRecord)
        ? "n/a"
        : String.format(Locale.ROOT, "%.2f µs (%.0f%%)", microsPerRecord, busyShare * 100);
  }

  /** Bytes as MB for the table, or "n/a". */
  static String megabytes(long bytes) {
    return bytes <= 0 ? "n/a" : String.format(Locale.ROOT, "%,d MB", bytes / (1024 * 1024));
  }

  /**
   * Starts the table row of {@code row}: its path and setting. A failed run gets its failure in the
   * next cell and empty ones after it; then this returns false and the row is complete.
   */
  private static boolean startRow(StringBuilder t, Sections.Row row) {
    t.append("| ").append(row.path().label()).append(" | ").append(row.setting()).append(" | ");
    if (row.result() == null) {
      t.append("failed: ")
          .append(String.valueOf(row.failure()).replace('|', '/'))
          .append(" | | | |\n");
      return false;
    }
    return true;
  }
}
