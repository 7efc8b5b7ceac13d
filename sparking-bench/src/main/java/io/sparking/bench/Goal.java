package io.sparking.bench;

import java.util.Locale;

/**
 * What a path aims for against its reference path ({@link MeasuredPath#referenceId()}); a path may
 * have several, each met or not on its own. Every comparison divides or subtracts like by like: the
 * whole-run figure by the reference's whole-run figure, the steady one by the reference's steady
 * one.
 *
 * <pre>{@code
 * List.of(new Goal.CpuPerRecordAtMost(1.5), new Goal.RateAtLeast(0.6))
 * }</pre>
 */
sealed interface Goal {
  /** What the goal asks, for the table, such as {@code records/s ≥ 0.6×}. */
  String text();

  /**
   * The goal's cell of the table for {@code path} against {@code reference} (both with figures):
   * what it asks, the figure it judges when the vs-reference column does not show it, and whether
   * it is met.
   */
  String verdict(PathResult path, PathResult reference);

  /**
   * Records/s at least {@code times} the reference's, judged twice: whole run against whole run,
   * and steady against steady.
   */
  record RateAtLeast(double times) implements Goal {
    public RateAtLeast {
      requirePositive(times, "times");
    }

    @Override
    public String text() {
      return String.format(Locale.ROOT, "records/s ≥ %.1f×", times);
    }

    @Override
    public String verdict(PathResult path, PathResult reference) {
      double whole = path.medianRate() / reference.medianRate();
      double steady = path.medianSteadyRate() / reference.medianSteadyRate();
      return String.format(
          Locale.ROOT, "%s %s (steady: %s)", text(), met(whole >= times), met(steady >= times));
    }
  }

  /** Machine CPU per record at most {@code times} the reference's (both over the whole run). */
  record CpuPerRecordAtMost(double times) implements Goal {
    public CpuPerRecordAtMost {
      requirePositive(times, "times");
    }

    @Override
    public String text() {
      return String.format(Locale.ROOT, "CPU per record ≤ %.1f×", times);
    }

    @Override
    public String verdict(PathResult path, PathResult reference) {
      double ratio = path.medianCpuMicrosPerRecord() / reference.medianCpuMicrosPerRecord();
      return Double.isNaN(ratio)
          ? text() + ": n/a"
          : String.format(Locale.ROOT, "%s: %.2f× %s", text(), ratio, met(ratio <= times));
    }
  }

  /**
   * Machine CPU per record at most {@code micros} µs above the reference's (both over the whole
   * run): what the path adds to the work they share.
   */
  record CpuPerRecordAtMostAbove(double micros) implements Goal {
    public CpuPerRecordAtMostAbove {
      requirePositive(micros, "micros");
    }

    @Override
    public String text() {
      return String.format(Locale.ROOT, "CPU per record ≤ +%.1f µs", micros);
    }

    @Override
    public String verdict(PathResult path, PathResult reference) {
      double above = path.medianCpuMicrosPerRecord() - reference.medianCpuMicrosPerRecord();
      return Double.isNaN(above)
          ? text() + ": n/a"
          : String.format(Locale.ROOT, "%s: %+.2f µs %s", text(), above, met(above <= micros));
    }
  }

  private static String met(boolean met) {
    return met ? "met" : "NOT met";
  }

  private static void requirePositive(double value, String name) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(name + "=" + value + " is out of range: pass more than 0");
    }
  }
}
