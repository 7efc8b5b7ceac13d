package io.sparking.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole benchmark with tiny sizes: every path must produce a figure and the report must be written. It
 * asserts nothing about speed; a figure from 2000 records says nothing.
 */
class BenchSmokeTest {
  private static final long RECORDS = 2_000;

  @TempDir Path results;

  @Test
  void everyPathProducesAFigureAndTheReportIsWritten() throws Exception {
    System.setProperty("java.awt.headless", "true");
    BenchConfig config = new BenchConfig(RECORDS, 100, 1, BenchConfig.GROUPS, Duration.ofMillis(500), results);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    Bench.Outcome outcome = Bench.run(config, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(outcome.results()).extracting(r -> r.path().id())
        .containsExactlyElementsOf(Paths.all().stream().filter(config::selects).map(MeasuredPath::id).toList());
    assertThat(outcome.results()).allSatisfy(r -> {
      assertThat(r.failure()).as("failure of %s", r.path().id()).isNull();
      assertThat(r.runs()).as("runs of %s", r.path().id()).hasSize(1);
      RunResult run = r.runs().get(0);
      assertThat(run.records()).as("records of %s", r.path().id()).isGreaterThanOrEqualTo(RECORDS);
      assertThat(run.bytes()).as("bytes of %s", r.path().id()).isGreaterThanOrEqualTo(RECORDS * 100);
      assertThat(run.rate()).as("rate of %s", r.path().id()).isPositive();
    });
    assertThat(outcome.markdown()).exists().hasParent(results);
    String table = Files.readString(outcome.markdown());
    for (MeasuredPath path : Paths.all().stream().filter(config::selects).toList()) {
      assertThat(table).contains("| " + path.label() + " | ");
    }
    // A run retried after a failure is listed under the table; a path that failed shows "failed:" in its row.
    assertThat(table).doesNotContain("| failed:");
    Path chart = results.resolve(outcome.markdown().getFileName().toString().replace(".md", ".png"));
    assertThat(chart).exists().isNotEmptyFile();
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("records/s");
  }
}
