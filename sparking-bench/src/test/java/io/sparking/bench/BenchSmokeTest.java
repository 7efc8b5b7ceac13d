package io.sparking.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole benchmark with tiny sizes: every path runs once and must produce a figure, every
 * section is measured, and the report must be written. It asserts nothing about speed; a figure
 * from 2000 records says nothing.
 */
class BenchSmokeTest {
  private static final long RECORDS = 2_000;

  @TempDir Path results;

  @Test
  void everyPathProducesAFigureAndTheReportIsWritten() throws Exception {
    System.setProperty("java.awt.headless", "true");
    // Tiny sections too: latency at 500 records/s for 2 s, overload with a 100 records/s limit for
    // 2 s, and scaling at 2 receivers and 2 partitions (1 is the plain run's shape; 2 exercises the
    // union and another topic), 2 avro sinks and 2 pull connections.
    BenchConfig config =
        new BenchConfig(
            RECORDS,
            100,
            1,
            BenchConfig.GROUPS,
            Duration.ofMillis(500),
            results,
            BenchConfig.SECTIONS,
            new Sections.Sizes(500, 2, 100, 2, List.of(2), RECORDS),
            Variant.THROUGHPUT);
    // Every path runs once: a path that a section measures runs there, with the same receiving JVM,
    // source and delivery check as its throughput run, so the throughput section takes the rest.
    Set<String> inSections = new HashSet<>();
    Paths.latency().forEach(p -> inSections.add(p.id()));
    Paths.overload().forEach(p -> inSections.add(p.id()));
    Paths.scaling().forEach(s -> inSections.add(s.path().id()));
    List<MeasuredPath> selected = Paths.all().stream().filter(config::selects).toList();
    List<MeasuredPath> throughput =
        selected.stream().filter(p -> !inSections.contains(p.id())).toList();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    Bench.Outcome outcome =
        Bench.run(config, throughput, new PrintStream(printed, true, StandardCharsets.UTF_8), null);

    assertThat(outcome.results())
        .extracting(r -> r.path().id())
        .containsExactlyElementsOf(throughput.stream().map(MeasuredPath::id).toList());
    Set<String> ran = new HashSet<>();
    outcome.results().forEach(r -> ran.add(r.path().id()));
    outcome.sections().forEach(r -> ran.add(r.path().id()));
    assertThat(ran)
        .as("paths run by the throughput section or another")
        .containsExactlyInAnyOrderElementsOf(selected.stream().map(MeasuredPath::id).toList());
    assertThat(outcome.results())
        .allSatisfy(
            r -> {
              assertThat(r.failure()).as("failure of %s", r.path().id()).isNull();
              assertThat(r.runs()).as("runs of %s", r.path().id()).hasSize(1);
              RunResult run = r.runs().get(0);
              // Each id arrived once (else the run would have failed): exactly the records sent.
              assertThat(run.records()).as("records of %s", r.path().id()).isEqualTo(RECORDS);
              assertThat(run.bytes()).as("bytes of %s", r.path().id()).isEqualTo(RECORDS * 100);
              assertThat(run.steadyRate()).as("steady rate of %s", r.path().id()).isPositive();
              assertThat(run.rate()).as("rate of %s", r.path().id()).isPositive();
            });
    assertThat(outcome.markdown()).exists().hasParent(results);
    String table = Files.readString(outcome.markdown());
    for (MeasuredPath path : throughput) {
      assertThat(table).contains("| " + path.label() + " | ");
    }
    // No run failed (none is run again): no "failed:" row, no delivery check's "ids:" note, no
    // "FAILED" printed, and the command would exit 0.
    assertThat(table).doesNotContain("failed:").doesNotContain("ids:");
    assertThat(outcome.exitCode()).isZero();
    Path chart =
        results.resolve(outcome.markdown().getFileName().toString().replace(".md", ".png"));
    assertThat(chart).exists().isNotEmptyFile();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("records/s")
        .doesNotContain("FAILED")
        .doesNotContain("ids:");

    assertThat(outcome.sections())
        .allSatisfy(
            row ->
                assertThat(row.failure())
                    .as("failure of %s %s %s", row.section(), row.path().id(), row.setting())
                    .isNull());
    assertThat(outcome.sections())
        .extracting(Sections.Row::section)
        .containsOnly("latency", "overload", "scaling");
    // Latency: every record after the warm-up measured, with ordered percentiles.
    List<Sections.Row> latency =
        outcome.sections().stream().filter(r -> r.section().equals("latency")).toList();
    assertThat(latency)
        .extracting(r -> r.path().id())
        .containsExactlyElementsOf(Paths.latency().stream().map(MeasuredPath::id).toList());
    assertThat(latency)
        .allSatisfy(
            row -> {
              long[] l = row.result().latency();
              assertThat(l).as("latency of %s", row.path().id()).isNotNull();
              // 1000 offered, the first quarter (250) left out as warm-up.
              assertThat(l[0]).as("records measured by %s", row.path().id()).isEqualTo(750);
              assertThat(l[1]).isLessThanOrEqualTo(l[2]);
              assertThat(l[2]).isLessThanOrEqualTo(l[3]);
            });
    // Overload: the job took its limited share, and the heap was sampled over the run.
    List<Sections.Row> overload =
        outcome.sections().stream().filter(r -> r.section().equals("overload")).toList();
    assertThat(overload)
        .isNotEmpty()
        .allSatisfy(
            row -> {
              assertThat(row.result().records()).isEqualTo(200);
              assertThat(row.result().heapSamples()).isNotEmpty();
              assertThat(row.result().peakHeapBytes()).isPositive();
            });
    // Scaling: each series at 2.
    List<Sections.Row> scaling =
        outcome.sections().stream().filter(r -> r.section().equals("scaling")).toList();
    assertThat(scaling)
        .hasSize(Paths.scaling().size())
        .allSatisfy(row -> assertThat(row.result().records()).isEqualTo(RECORDS));
    assertThat(table).contains("## Latency", "## Heap under overload", "## Scaling");
  }
}
