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
 * The benchmark's report: a markdown table (path, median records/s, min–max, steady-state rate, peak heap, ratio to
 * its reference against the goal) and a bar chart of the medians, written next to each other.
 */
final class Report {
  private final BenchConfig config;
  private final List<PathResult> results;
  private final List<String> notes;
  private final String startedAt;
  private final String loadBefore;
  private final String loadAfter;

  Report(BenchConfig config, List<PathResult> results, List<String> notes, String startedAt, String loadBefore,
      String loadAfter) {
    this.config = config;
    this.results = results;
    this.notes = notes;
    this.startedAt = startedAt;
    this.loadBefore = loadBefore;
    this.loadAfter = loadAfter;
  }

  /** The machine's load averages as {@code /proc/loadavg} gives them (1, 5, 15 min), or the JVM's 1-min figure. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  /** The markdown report: a header with the sizes and the machine, then the table. */
  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Sparking benchmark ").append(startedAt).append("\n\n");
    md.append(String.format(Locale.ROOT, "%,d records of %d bytes, %d run(s) per path (median), batch interval %d ms;"
            + " %d cores, Java %s; load average (1/5/15 min) before %s, after %s.%n%n",
        config.records(), config.size(), config.runs(), config.batchInterval().toMillis(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadBefore, loadAfter));
    md.append(table());
    md.append("\nrecords/s: from the receiver's start (Kafka: consumer created or stream started; Flume: feeding"
        + " started) to the moment its count reached the target. steady: Spark paths only, see docs/performance.md."
        + " heap: peak used heap of the receiving JVM (sampled every 50 ms).\n");
    for (String note : notes) {
      md.append("\n- ").append(note);
    }
    if (!notes.isEmpty()) {
      md.append("\n");
    }
    return md.toString();
  }

  /** The table alone. */
  String table() {
    Map<String, PathResult> byId = results.stream()
        .collect(Collectors.toMap(r -> r.path().id(), Function.identity()));
    StringBuilder t = new StringBuilder();
    t.append("| path | records/s (median) | min–max | steady records/s | peak heap | vs reference | goal |\n");
    t.append("|---|---:|---:|---:|---:|---|---|\n");
    for (PathResult r : results) {
      t.append("| ").append(r.path().label()).append(" | ");
      if (!r.ok()) {
        t.append("failed: ").append(r.failure().replace('|', '/')).append(" | | | | | |\n");
        continue;
      }
      t.append(rate(r.medianRate())).append(" | ")
          .append(rate(r.minRate())).append("–").append(rate(r.maxRate())).append(" | ")
          .append(rate(r.medianSteadyRate())).append(" | ")
          .append(megabytes((long) r.medianPeakHeapBytes())).append(" | ");
      PathResult ref = r.path().referenceId() == null ? null : byId.get(r.path().referenceId());
      if (ref != null && ref.ok()) {
        double ratio = r.medianRate() / ref.medianRate();
        t.append(String.format(Locale.ROOT, "%.2f× %s", ratio, ref.path().id())).append(" | ");
        if (r.path().goal() > 0) { // a comparison without a goal (scaling rows) shows the ratio only
          t.append(String.format(Locale.ROOT, "≥ %.1f× %s", r.path().goal(), ratio >= r.path().goal() ? "met" : "NOT met"));
        }
      } else if (r.path().referenceId() != null) {
        t.append("(").append(r.path().referenceId()).append(" not run) | ");
        if (r.path().goal() > 0) {
          t.append(String.format(Locale.ROOT, "≥ %.1f×", r.path().goal()));
        }
      } else {
        t.append(" | ");
      }
      t.append(" |\n");
    }
    return t.toString();
  }

  /** Writes {@code <stamp>.md} and {@code <stamp>.png} into the results directory; returns the markdown file. */
  Path write(String stamp) throws IOException {
    Files.createDirectories(config.resultsDir());
    Path md = config.resultsDir().resolve(stamp + ".md");
    Files.writeString(md, markdown().replace("\n\nrecords/s:", "\n\n![records/s per path](" + stamp
        + ".png)\n\nrecords/s:"), StandardCharsets.UTF_8);
    chart(config.resultsDir().resolve(stamp + ".png"));
    return md;
  }

  private void chart(Path png) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(1200).height(650)
        .title(String.format(Locale.ROOT, "Sparking benchmark: %,d records of %d bytes, median of %d run(s)",
            config.records(), config.size(), config.runs()))
        .xAxisTitle("path").yAxisTitle("records/s").build();
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
    BitmapEncoder.saveBitmap(chart, file.substring(0, file.length() - ".png".length()),
        BitmapEncoder.BitmapFormat.PNG);
  }

  /** A rate for the table, or "n/a". */
  static String rate(double perSecond) {
    return Double.isNaN(perSecond) ? "n/a" : String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  /** Bytes as MB for the table, or "n/a". */
  static String megabytes(long bytes) {
    return bytes <= 0 ? "n/a" : String.format(Locale.ROOT, "%,d MB", bytes / (1024 * 1024));
  }
}
