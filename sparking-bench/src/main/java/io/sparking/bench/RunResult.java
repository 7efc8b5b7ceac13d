package io.sparking.bench;

import java.util.List;

/**
 * One run of one path.
 *
 * @param records records the receiver counted: the target, since a run whose ids did not each
 *     arrive once fails ({@link Runner#requireDelivered})
 * @param bytes payload bytes it read
 * @param elapsedMillis from the clock's start (receiver's start mark, or feeding start) to the
 *     target
 * @param steadyRate records/s once records flowed (see {@link #steadyRate(List, long)}), or NaN
 *     without progress reports
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
   * The steady figure of every path, from its progress reports ({@code records, bytes, startMillis,
   * endMillis}, in the order {@link Progress#report} emitted them): the records after the first
   * report that held records, over the time from that report's end to the end of the report that
   * reached {@code target} (later reports are left out), so the path's start-up, its wait for the
   * first records and the first report's own work are left out. When one report held everything,
   * its records over its own duration (a direct stream reads a whole backlog in one batch). NaN
   * without reports.
   */
  static double steadyRate(List<long[]> reports, long target) {
    List<long[]> held = reports.stream().filter(r -> r[0] > 0).toList();
    if (held.isEmpty()) {
      return Double.NaN;
    }
    long[] first = held.get(0);
    long total = first[0];
    long after = 0;
    long end = first[3];
    for (long[] r : held.subList(1, held.size())) {
      if (total >= target) {
        break;
      }
      total += r[0];
      after += r[0];
      end = r[3];
    }
    if (after == 0) {
      return first[0] * 1000.0 / Math.max(1, first[3] - first[2]);
    }
    return after * 1000.0 / Math.max(1, end - first[3]);
  }
}
