package io.sparking.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving JVM's count of one run, and the lines that tell the bench JVM about it.
 *
 * <p>State is static because Spark's output functions must be serializable and run on the driver:
 * they reach the count through this class rather than through a captured object (the stream graph
 * is checkpointed). One receiving JVM runs exactly one run, so one count per JVM is all there is.
 *
 * <p>Every record's id goes through {@link #received}: the run is done when the distinct ids reach
 * the target, and the bench JVM checks the {@code IDS} line against the ids it sent.
 *
 * <p>Lines on stdout, each starting with {@link #PREFIX}: {@code READY <millis> [port]} (the
 * receiver's start mark), {@code REPORT <records> <bytes> <startMillis> <endMillis>} (a progress
 * report, see {@link #report}), {@code IDS <distinct> <duplicates> <unknown> <ids>...} ({@link
 * ReceivedIds.Delivery#toLine}) then {@code DONE <records> <bytes> <doneMillis> <peakHeapBytes>},
 * {@code FAIL <message>}, {@code HEAP <millis> <usedBytes> <afterGcBytes>} (the peak of each second
 * and the heap left by the last collections) and, for runs that measure latency, {@code LATENCY
 * <records> <p50Millis> <p99Millis> <maxMillis>} before {@code DONE}. Times are wall-clock
 * milliseconds, comparable between the JVMs of one machine.
 */
public final class Progress {
  /** The start of every protocol line; other output of the receiving JVM is only logged. */
  public static final String PREFIX = "@@bench ";

  private static final AtomicLong RECORDS = new AtomicLong();
  private static final AtomicLong BYTES = new AtomicLong();
  private static final CountDownLatch DONE = new CountDownLatch(1);
  private static volatile long target = Long.MAX_VALUE;
  private static volatile ReceivedIds ids = new ReceivedIds(0);
  private static volatile long doneMillis;

  /**
   * Latency histogram in milliseconds, one bucket per ms up to a minute, the last bucket for
   * anything later.
   */
  private static final java.util.concurrent.atomic.AtomicLongArray LATENCIES =
      new java.util.concurrent.atomic.AtomicLongArray(60_001);

  private static volatile long latencyFromRecord = Long.MAX_VALUE;
  // The receiving JVM's stdout is the protocol channel; loggers write to stderr (log4j2.xml).
  private static final PrintStream OUT = System.out;

  private Progress() {}

  /** Sets the run's target: the ids {@code 0 .. records-1} were sent, each must arrive once. */
  static void init(long records) {
    ids = new ReceivedIds(records);
    target = records;
  }

  /**
   * Records the id {@code payload} starts with; every path calls it once per record it handles,
   * before the {@link #report} that counts the record.
   */
  public static void received(byte[] payload) {
    ids.record(BenchData.id(payload));
  }

  /** As {@link #received(byte[])}, for a body in a buffer (left unchanged). */
  public static void received(java.nio.ByteBuffer body) {
    ids.record(BenchData.id(body));
  }

  /** The ids received so far. */
  static ReceivedIds.Delivery delivery() {
    return ids.delivery();
  }

  /** Marks the moment the receiver starts (or can start) receiving. */
  public static void ready() {
    line("READY " + System.currentTimeMillis());
  }

  /** Marks the moment the receiver can receive on {@code port}, a port it bound itself. */
  public static void ready(int port) {
    line("READY " + System.currentTimeMillis() + " " + port);
  }

  /**
   * Reports progress: {@code records} handled together, from {@code startMillis} to {@code
   * endMillis}. Every path reports the same way, once per unit it handles records in: a Spark
   * batch's output (from the start of its counting job to its end), a consumer poll (from the poll
   * call to the end of its loop over the records), a counting server's answered batch (from the
   * handler's call to its count), a plain client's acked batch (from its request to the ack). The
   * {@link RunResult#steadyRate steady figure} comes from these reports alone. The run is done at
   * {@code endMillis} of the first report after which both the records reported and the distinct
   * ids {@link #received} reach the target (a duplicate does not count towards it). Reports without
   * records are dropped.
   */
  public static void report(long records, long bytes, long startMillis, long endMillis) {
    if (records == 0) {
      return;
    }
    // One lock for the line and the count, so the lines come in the order the records were counted.
    synchronized (OUT) {
      line("REPORT " + records + " " + bytes + " " + startMillis + " " + endMillis);
      BYTES.addAndGet(bytes);
      // Both counts: the distinct ids, so a duplicate cannot end the run early; the records
      // reported, so the report that completes the target is the one whose ids came last.
      long total = RECORDS.addAndGet(records);
      if (DONE.getCount() > 0 && total >= target && ids.distinct() >= target) {
        doneMillis = endMillis;
        DONE.countDown();
      }
    }
  }

  /**
   * Measures latency from record number {@code warmUpRecords} on (the ones before include the
   * stream's start-up).
   */
  static void measureLatency(long warmUpRecords) {
    latencyFromRecord = warmUpRecords;
  }

  /** Whether this run measures latency: then outputs pass each payload to {@link #latency}. */
  public static boolean measuresLatency() {
    return latencyFromRecord != Long.MAX_VALUE;
  }

  /**
   * Records the latency of the record with {@code payload} whose output happened at {@code
   * outputMillis}: from the creation time the payload carries; payloads without one and warm-up
   * records are skipped.
   */
  public static void latency(byte[] payload, long outputMillis) {
    long created = BenchData.createdMillis(payload);
    if (created < 0 || BenchData.number(payload) < latencyFromRecord) {
      return;
    }
    LATENCIES.incrementAndGet(
        (int) Math.max(0, Math.min(LATENCIES.length() - 1, outputMillis - created)));
  }

  /** Reports a heap sample. */
  static void heap(long usedBytes, long afterCollectionBytes) {
    line("HEAP " + System.currentTimeMillis() + " " + usedBytes + " " + afterCollectionBytes);
  }

  /**
   * Reports a free-form figure besides the count (one line, such as latency percentiles); printed
   * with the run.
   */
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
    if (measuresLatency()) {
      reportLatency();
    }
    line("IDS " + ids.delivery().toLine());
    line("DONE " + RECORDS.get() + " " + BYTES.get() + " " + doneMillis + " " + peakHeapBytes);
  }

  static void fail(String message) {
    line("FAIL " + message.replace('\n', ' '));
  }

  private static void reportLatency() {
    long total = 0;
    long max = 0;
    for (int i = 0; i < LATENCIES.length(); i++) {
      total += LATENCIES.get(i);
      if (LATENCIES.get(i) > 0) {
        max = i;
      }
    }
    line(
        "LATENCY "
            + total
            + " "
            + percentile(total, 0.50)
            + " "
            + percentile(total, 0.99)
            + " "
            + max);
  }

  private static long percentile(long total, double fraction) {
    long rank = (long) Math.ceil(total * fraction);
    long seen = 0;
    for (int i = 0; i < LATENCIES.length(); i++) {
      seen += LATENCIES.get(i);
      if (seen >= rank && seen > 0) {
        return i;
      }
    }
    return -1;
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
