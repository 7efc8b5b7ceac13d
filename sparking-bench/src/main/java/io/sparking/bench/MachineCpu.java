package io.sparking.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU time from {@code /proc/stat}, read at a run's start and end: every
 * process of the run counts (receiving JVM, broker or agents, the bench JVM's feeder), so a path's
 * CPU cost per record is comparable with another's even though they spread their work over
 * different processes. On a saturated machine throughput is cores divided by that cost, which is
 * what the report's CPU column shows. Linux only; elsewhere no figure.
 */
record MachineCpu(long busyTicks, long totalTicks) {
  /** The kernel's clock ticks per second for {@code /proc/stat} ({@code USER_HZ}, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  private static final Path PROC_STAT = Path.of("/proc/stat");

  /** The counters now, or null where {@code /proc/stat} cannot be read. */
  static MachineCpu now() {
    try {
      String cpu = Files.readAllLines(PROC_STAT).get(0);
      String[] f = cpu.trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
      long total = 0;
      long idle = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        long v = Long.parseLong(f[i]);
        total += v;
        if (i == 4 || i == 5) {
          idle += v;
        }
      }
      return new MachineCpu(total - idle, total);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** CPU seconds the machine was busy between {@code start} and {@code end}; NaN without both. */
  static double busySeconds(MachineCpu start, MachineCpu end) {
    return start == null || end == null
        ? Double.NaN
        : (end.busyTicks - start.busyTicks) / TICKS_PER_SECOND;
  }

  /**
   * The share of all cores that was busy between {@code start} and {@code end}, 0 to 1; NaN without
   * both.
   */
  static double busyShare(MachineCpu start, MachineCpu end) {
    if (start == null || end == null || end.totalTicks == start.totalTicks) {
      return Double.NaN;
    }
    return (double) (end.busyTicks - start.busyTicks) / (end.totalTicks - start.totalTicks);
  }
}
