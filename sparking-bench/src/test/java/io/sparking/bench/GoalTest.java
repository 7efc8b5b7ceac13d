package io.sparking.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each goal judges its own figure against the reference's like figure. */
class GoalTest {
  private static final MeasuredPath.Halves NO_HALVES =
      new MeasuredPath.Halves() {
        @Override
        public RunSetup prepare(String pathId, BenchEnvironment env, BenchConfig config, int run) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void receive(ReceiverRun run) {
          throw new UnsupportedOperationException();
        }
      };

  @Test
  void aRateGoalJudgesTheWholeRunAndTheSteadyFigureEachAgainstItsLike() {
    // 0.5× on the whole run, 0.75× steady.
    PathResult reference = result("reference", 1_000, 1_000_000, 2.0);
    PathResult path = result("path", 2_000, 750_000, 2.0);

    assertThat(new Goal.RateAtLeast(0.6).verdict(path, reference))
        .isEqualTo("records/s ≥ 0.6× NOT met (steady: met)");
  }

  @Test
  void cpuGoalsCompareCpuPerRecordAsARatioOrADifference() {
    // 1,000,000 records: 2 s of CPU is 2 µs per record, 5 s is 5 µs.
    PathResult reference = result("reference", 1_000, 1_000_000, 2.0);
    PathResult path = result("path", 1_000, 1_000_000, 5.0);

    assertThat(new Goal.CpuPerRecordAtMost(1.5).verdict(path, reference))
        .isEqualTo("CPU per record ≤ 1.5×: 2.50× NOT met");
    assertThat(new Goal.CpuPerRecordAtMostAbove(3.0).verdict(path, reference))
        .isEqualTo("CPU per record ≤ +3.0 µs: +3.00 µs met");
  }

  @Test
  void theTableShowsEveryGoalOfAPathAndRatiosOfLikeFigures() {
    MeasuredPath referencePath = path("reference", null, List.of());
    MeasuredPath goalPath =
        path(
            "path",
            "reference",
            List.of(new Goal.CpuPerRecordAtMost(1.5), new Goal.RateAtLeast(0.6)));
    PathResult reference = new PathResult(referencePath, List.of(run(1_000, 1_000_000, 2)), null);
    PathResult path = new PathResult(goalPath, List.of(run(2_000, 750_000, 5)), null);

    String table =
        new Report(
                new BenchConfig(
                    1_000_000,
                    100,
                    1,
                    java.util.Set.of("kafka"),
                    java.time.Duration.ofSeconds(1),
                    java.nio.file.Path.of("results")),
                List.of(reference, path),
                "now",
                "0",
                "0")
            .throughputTable();

    assertThat(table)
        .contains(
            "| 0.50× reference (steady 0.75×) | CPU per record ≤ 1.5×: 2.50× NOT met;"
                + " records/s ≥ 0.6× NOT met (steady: met) |");
  }

  @Test
  void goalsNeedAReference() {
    assertThatThrownBy(() -> path("path", null, List.of(new Goal.RateAtLeast(1.0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no reference");
  }

  /** A path measured over 1,000,000 records in {@code elapsedMillis}, at {@code steady}. */
  private static PathResult result(String id, long elapsedMillis, double steady, double cpu) {
    return new PathResult(
        path(id, null, List.of()), List.of(run(elapsedMillis, steady, cpu)), null);
  }

  private static RunResult run(long elapsedMillis, double steady, double cpuSeconds) {
    return new RunResult(
        1_000_000, 100_000_000, elapsedMillis, steady, 1, List.of(), null, cpuSeconds, 0.9);
  }

  private static MeasuredPath path(String id, String referenceId, List<Goal> goals) {
    return new MeasuredPath("kafka", id, id, referenceId, goals, NO_HALVES);
  }
}
