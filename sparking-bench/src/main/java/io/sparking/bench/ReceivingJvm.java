package io.sparking.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main class of a receiving JVM: runs one run of one {@link MeasuredPath}'s {@link
 * MeasuredPath#receive} and reports through {@link Progress}, including the peak heap this JVM
 * used.
 *
 * <p>Arguments: a {@link ReceiverRun}, as {@link ReceiverRun#toArgs()} wrote it.
 */
public final class ReceivingJvm {
  private static final Logger LOG = LoggerFactory.getLogger(ReceivingJvm.class);

  /**
   * How often the heap is sampled: often enough to see the peak between two young collections of a
   * busy run.
   */
  private static final Duration HEAP_SAMPLE = Duration.ofMillis(50);

  /**
   * Every this many samples, one is reported, to show how the heap moves over a run (a plateau or a
   * climb).
   */
  private static final int REPORT_EVERY = 20;

  private ReceivingJvm() {}

  /** Runs one run and exits: 0 when the target was reached, 1 otherwise. */
  public static void main(String[] argv) {
    int exit = 1;
    HeapPeak heap = new HeapPeak();
    try {
      ReceiverRun run = ReceiverRun.fromArgs(List.of(argv));
      MeasuredPath path = Paths.byId(run.pathId());
      Progress.init(run.target().records());
      run.target().latencyWarmUpRecords().ifPresent(Progress::measureLatency);
      heap.start();
      path.receive(run);
      if (Progress.isDone()) {
        Progress.done(heap.peak());
        exit = 0;
      } else {
        Progress.fail(
            "stopped after "
                + Progress.records()
                + " of "
                + run.target().records()
                + " records; ids: "
                + Progress.delivery().describe(run.target().records()));
      }
    } catch (Throwable e) {
      LOG.error("Receiving failed", e);
      Progress.fail(e.toString());
    } finally {
      heap.stop();
    }
    // Spark and Netty leave non-daemon threads behind; this JVM's one run is over.
    System.exit(exit);
  }

  /** The largest used heap seen by a sampling thread. */
  private static final class HeapPeak {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler = new Thread(this::sample, "heap-sampler");
    private volatile boolean running = true;

    void start() {
      sampler.setDaemon(true);
      sampler.start();
    }

    long peak() {
      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      return peak.get();
    }

    void stop() {
      running = false;
      sampler.interrupt();
    }

    /**
     * The heap in use right after the latest collection (young or old), over all heap pools: what
     * survived, not garbage not yet collected. 0 before the first collection.
     */
    private static long afterLastCollection() {
      com.sun.management.GcInfo latest = null;
      for (java.lang.management.GarbageCollectorMXBean gc :
          ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
          com.sun.management.GcInfo info = sun.getLastGcInfo();
          if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
            latest = info;
          }
        }
      }
      if (latest == null) {
        return 0;
      }
      long used = 0;
      for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        java.lang.management.MemoryUsage after = latest.getMemoryUsageAfterGc().get(pool.getName());
        if (pool.getType() == java.lang.management.MemoryType.HEAP && after != null) {
          used += after.getUsed();
        }
      }
      return used;
    }

    private void sample() {
      long windowPeak = 0;
      for (int n = 1; running; n++) {
        windowPeak = Math.max(windowPeak, memory.getHeapMemoryUsage().getUsed());
        peak.accumulateAndGet(windowPeak, Math::max);
        if (n % REPORT_EVERY == 0) {
          Progress.heap(windowPeak, afterLastCollection());
          windowPeak = 0;
        }
        try {
          Thread.sleep(HEAP_SAMPLE.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
