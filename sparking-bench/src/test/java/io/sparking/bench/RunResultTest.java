package io.sparking.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The steady figure is defined once, from the progress reports every path emits alike. */
class RunResultTest {
  @Test
  void steadyIsTheRecordsAfterTheFirstReportOverTheTimeToTheReportThatReachedTheTarget() {
    // Start-up until 1,000; then reports ending at 1,100, 1,600 and 2,100; a late one left out.
    List<long[]> reports =
        List.of(
            new long[] {100, 0, 1_000, 1_100},
            new long[] {400, 0, 1_100, 1_600},
            new long[] {500, 0, 1_600, 2_100},
            new long[] {700, 0, 2_100, 9_000});

    assertThat(RunResult.steadyRate(reports, 1_000)).isEqualTo(900 * 1000.0 / 1_000);
    // One report holding everything: its records over its own duration.
    assertThat(RunResult.steadyRate(List.of(new long[] {1_000, 0, 2_000, 2_500}), 1_000))
        .isEqualTo(2_000.0);
    assertThat(RunResult.steadyRate(List.of(), 1_000)).isNaN();
  }
}
