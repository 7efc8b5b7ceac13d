package io.sparking.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Every run of one path, or why it failed.
 *
 * @param path the path
 * @param runs its successful runs
 * @param failure the first failure, or null
 */
record PathResult(MeasuredPath path, List<RunResult> runs, String failure) {
  /** Whether every run produced a figure. */
  boolean ok() {
    return failure == null && !runs.isEmpty();
  }

  double medianRate() {
    return median(RunResult::rate);
  }

  double minRate() {
    return runs.stream().mapToDouble(RunResult::rate).min().orElse(Double.NaN);
  }

  double maxRate() {
    return runs.stream().mapToDouble(RunResult::rate).max().orElse(Double.NaN);
  }

  double medianSteadyRate() {
    return median(RunResult::steadyRate);
  }

  double medianCpuMicrosPerRecord() {
    return median(RunResult::cpuMicrosPerRecord);
  }

  double medianBusyShare() {
    return median(RunResult::busyShare);
  }

  double medianPeakHeapBytes() {
    return median(RunResult::peakHeapBytes);
  }

  private double median(ToDoubleFunction<RunResult> figure) {
    double[] values =
        runs.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }

  @Override
  public String toString() {
    return path.id()
        + (ok()
            ? " " + Arrays.toString(runs.stream().mapToDouble(RunResult::rate).toArray())
            : " failed: " + failure);
  }
}
