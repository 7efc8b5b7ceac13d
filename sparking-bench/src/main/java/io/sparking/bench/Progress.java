package io.sparking.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving JVM's count of one run, and the lines that tell the bench JVM about it.
 *
 * <p>State is static because Spark's output functions must be serializable and run on the driver: they reach the
 * count through this class rather than through a captured object (the stream graph is checkpointed). One receiving
 * JVM runs exactly one run, so one count per JVM is all there is.
 *
 * <p>Lines on stdout, each starting with {@link #PREFIX}: {@code READY <millis> [port]} (the receiver's start mark),
 * {@code BATCH <records> <bytes> <startMillis> <endMillis>} (a Spark batch that held records), {@code DONE <records>
 * <bytes> <doneMillis> <peakHeapBytes>} and {@code FAIL <message>}. Times are wall-clock milliseconds, comparable
 * between the JVMs of one machine.
 */
public final class Progress {
  /** The start of every protocol line; other output of the receiving JVM is only logged. */
  public static final String PREFIX = "@@bench ";

  private static final AtomicLong RECORDS = new AtomicLong();
  private static final AtomicLong BYTES = new AtomicLong();
  private static final CountDownLatch DONE = new CountDownLatch(1);
  private static volatile long target = Long.MAX_VALUE;
  private static volatile long doneMillis;
  // The receiving JVM's stdout is the protocol channel; loggers write to stderr (log4j2.xml).
  private static final PrintStream OUT = System.out;

  private Progress() {}

  static void init(long records) {
    target = records;
  }

  /** Marks the moment the receiver starts (or can start) receiving. */
  public static void ready() {
    line("READY " + System.currentTimeMillis());
  }

  /** Marks the moment the receiver can receive on {@code port}, a port it bound itself. */
  public static void ready(int port) {
    line("READY " + System.currentTimeMillis() + " " + port);
  }

  /** Counts records received outside Spark; the run is done when the count reaches the target. */
  public static void add(long records, long bytes) {
    BYTES.addAndGet(bytes);
    long total = RECORDS.addAndGet(records);
    if (total >= target && DONE.getCount() > 0) {
      doneMillis = System.currentTimeMillis();
      DONE.countDown();
    }
  }

  /**
   * Counts one Spark batch that took from {@code startMillis} to {@code endMillis} to count; the run is done at
   * {@code endMillis} of the batch that reaches the target.
   */
  public static void batch(long records, long bytes, long startMillis, long endMillis) {
    if (records == 0) {
      return;
    }
    line("BATCH " + records + " " + bytes + " " + startMillis + " " + endMillis);
    BYTES.addAndGet(bytes);
    long total = RECORDS.addAndGet(records);
    if (total >= target && DONE.getCount() > 0) {
      doneMillis = endMillis;
      DONE.countDown();
    }
  }

  /** Reports a free-form figure besides the count (one line, such as latency percentiles); printed with the run. */
  public static void note(String text) {
    line("NOTE " + text.replace('\n', ' '));
  }

  /** Whether the target was reached. */
  public static boolean isDone() {
    return DONE.getCount() == 0;
  }

  /** Waits at most {@code timeout} for the target; true if it was reached. */
  public static boolean awaitDone(Duration timeout) throws InterruptedException {
    return DONE.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  static void done(long peakHeapBytes) {
    line("DONE " + RECORDS.get() + " " + BYTES.get() + " " + doneMillis + " " + peakHeapBytes);
  }

  static void fail(String message) {
    line("FAIL " + message.replace('\n', ' '));
  }

  static long records() {
    return RECORDS.get();
  }

  private static void line(String text) {
    synchronized (OUT) {
      OUT.println(PREFIX + text);
      OUT.flush();
    }
  }
}
