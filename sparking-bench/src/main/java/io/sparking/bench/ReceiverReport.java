package io.sparking.bench;

import io.sparking.runtime.JavaProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a receiving JVM reported through its {@link Progress} lines, read from its output as it
 * comes, and bounded waits for those reports that also notice a JVM that died or a feeder that
 * failed.
 */
final class ReceiverReport implements Consumer<String> {
  private static final long POLL_MILLIS = 20;

  private volatile Long readyMillis;
  private volatile int readyPort = -1;
  private volatile long[] done;
  private volatile String failure;
  private final List<long[]> reports = new ArrayList<>();
  private final List<long[]> heap = new ArrayList<>();
  private volatile long[] latency;
  private volatile ReceivedIds.Delivery delivery;
  private final List<String> notes = new ArrayList<>();

  @Override
  public void accept(String line) {
    if (!line.startsWith(Progress.PREFIX)) {
      return;
    }
    String[] f = line.substring(Progress.PREFIX.length()).split(" ", 2);
    String rest = f.length > 1 ? f[1] : "";
    switch (f[0]) {
      case "READY" -> {
        long[] ready = numbers(rest);
        readyPort = ready.length > 1 ? (int) ready[1] : -1;
        readyMillis = ready[0];
      }
      case "REPORT" -> {
        synchronized (reports) {
          reports.add(numbers(rest));
        }
      }
      case "IDS" -> delivery = ReceivedIds.Delivery.parse(rest);
      case "DONE" -> done = numbers(rest);
      case "HEAP" -> {
        synchronized (heap) {
          heap.add(numbers(rest));
        }
      }
      case "LATENCY" -> latency = numbers(rest);
      case "FAIL" -> failure = rest;
      case "NOTE" -> {
        synchronized (notes) {
          notes.add(rest);
        }
      }
      default -> {}
    }
  }

  /**
   * Free-form figures the receiver reported besides its count (such as latency percentiles), in
   * order.
   */
  List<String> notes() {
    synchronized (notes) {
      return List.copyOf(notes);
    }
  }

  /** The receiver's start mark, once it reported ready. */
  long awaitReady(JavaProcess jvm, Duration timeout, Supplier<Throwable> otherFailure)
      throws Exception {
    await(jvm, timeout, otherFailure, () -> readyMillis != null, "ready");
    return readyMillis;
  }

  /** The port the receiver reported with its start mark, or -1. */
  int readyPort() {
    return readyPort;
  }

  /** {@code records, bytes, doneMillis, peakHeapBytes}, once the receiver reached its target. */
  long[] awaitDone(JavaProcess jvm, Duration timeout, Supplier<Throwable> otherFailure)
      throws Exception {
    await(jvm, timeout, otherFailure, () -> done != null, "done");
    return done;
  }

  /** The ids the receiver received, reported just before it was done; null before. */
  ReceivedIds.Delivery delivery() {
    return delivery;
  }

  /** The progress reports so far ({@link Progress#report}), in order. */
  List<long[]> reports() {
    synchronized (reports) {
      return List.copyOf(reports);
    }
  }

  /** Heap samples so far, each {@code millis, usedBytes} (the peak of the second before). */
  List<long[]> heapSamples() {
    synchronized (heap) {
      return List.copyOf(heap);
    }
  }

  /** {@code records, p50, p99, max} in ms when the run measured latency, else null. */
  long[] latency() {
    return latency;
  }

  private void await(
      JavaProcess jvm,
      Duration timeout,
      Supplier<Throwable> otherFailure,
      BooleanSupplier reached,
      String what)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!reached.getAsBoolean()) {
      if (failure != null) {
        throw new IllegalStateException(
            "The receiving JVM failed: " + failure + "\n" + jvm.logTail(30));
      }
      Throwable other = otherFailure.get();
      if (other != null) {
        throw new IllegalStateException("Feeding failed: " + other, other);
      }
      if (!jvm.isAlive()) {
        // Its last lines may still be on their way through the pipe.
        jvm.waitFor(Duration.ofSeconds(5));
        if (!reached.getAsBoolean()) {
          throw new IllegalStateException(
              "The receiving JVM exited before it was "
                  + what
                  + (failure != null ? " (" + failure + ")" : "")
                  + ". Log tail:\n"
                  + jvm.logTail(40));
        }
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException(
            "The receiving JVM was not "
                + what
                + " within "
                + timeout
                + ". Log tail:\n"
                + jvm.logTail(30));
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private static long[] numbers(String text) {
    String[] parts = text.trim().split(" ");
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Long.parseLong(parts[i]);
    }
    return values;
  }
}
