package io.sparking.bench;

import java.util.List;

/**
 * One run of one path.
 *
 * @param records records the receiver counted (the target, or a few more if a batch went past it)
 * @param bytes payload bytes it read
 * @param elapsedMillis from the clock's start (receiver's start mark, or feeding start) to the
 *     target
 * @param steadyRate records/s once records flowed (see {@link #steadyRate(List, long)}), or NaN
 * @param peakHeapBytes the largest used heap the receiving JVM saw
 * @param heapSamples the receiving JVM's heap over the run, each {@code millis, usedBytes} (peak of
 *     one second)
 * @param latency {@code records, p50, p99, max} (ms) when the run measured latency, else null
 * @param cpuSeconds CPU seconds the whole machine was busy while the clock ran ({@link
 *     MachineCpu}), or NaN
 * @param busyShare the share of all cores busy while the clock ran, 0 to 1, or NaN
 */
record RunResult(
    long records,
    long bytes,
    long elapsedMillis,
    double steadyRate,
    long peakHeapBytes,
    List<long[]> heapSamples,
    long[] latency,
    double cpuSeconds,
    double busyShare) {
  RunResult(long records, long bytes, long elapsedMillis, double steadyRate, long peakHeapBytes) {
    this(
        records,
        bytes,
        elapsedMillis,
        steadyRate,
        peakHeapBytes,
        List.of(),
        null,
        Double.NaN,
        Double.NaN);
  }

  /**
   * Machine CPU microseconds per record counted: what the path costs, whichever processes do the
   * work.
   */
  double cpuMicrosPerRecord() {
    return cpuSeconds * 1_000_000 / Math.max(1, records);
  }

  /** Records per second over the whole run: the figure the table ranks by. */
  double rate() {
    return records * 1000.0 / Math.max(1, elapsedMillis);
  }

  /**
   * The steady-state rate of a Spark path from its batches ({@code records, bytes, startMillis,
   * endMillis}, in order): with two or more batches, the records after the first batch over the
   * time from its end to the end of the batch that reached {@code target} (so the start-up and the
   * first batch's wait are left out); with one batch, that batch's records over its own processing
   * time (a direct stream reads a whole backlog in one batch). NaN without batches (paths outside
   * Spark).
   */
  static double steadyRate(List<long[]> batches, long target) {
    if (batches.isEmpty()) {
      return Double.NaN;
    }
    long[] first = batches.get(0);
    if (batches.size() == 1) {
      return first[0] * 1000.0 / Math.max(1, first[3] - first[2]);
    }
    long after = 0;
    long end = first[3];
    long total = first[0];
    for (long[] b : batches.subList(1, batches.size())) {
      after += b[0];
      total += b[0];
      end = b[3];
      if (total >= target) {
        break;
      }
    }
    return after * 1000.0 / Math.max(1, end - first[3]);
  }
}
