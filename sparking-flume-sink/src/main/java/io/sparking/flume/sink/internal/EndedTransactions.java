package io.sparking.flume.sink.internal;

import io.sparking.flume.protocol.Settlement;

/**
 * How the newest {@link #CAPACITY} transactions of one sink ended, by their number: one byte each
 * in a ring, so a sink serving for months holds a megabyte. A consumer that restarted asks about
 * batches it kept but never heard settled; minutes or hours of batches are enough for that.
 */
final class EndedTransactions {
  /** How many of the newest transactions are remembered. */
  static final int CAPACITY = 1 << 20;

  private static final byte COMMITTED = 1;
  private static final byte ROLLED_BACK = 2;

  private final byte[] ring = new byte[CAPACITY];

  /** The highest number handed out so far; older ones than CAPACITY before it are forgotten. */
  private long newest;

  /** Number {@code number} was handed out (before its transaction may end). */
  synchronized void opened(long number) {
    newest = Math.max(newest, number);
    ring[slot(number)] = 0;
  }

  /** The transaction {@code number} ended: committed, or rolled back. */
  synchronized void ended(long number, boolean committed) {
    if (remembers(number)) {
      ring[slot(number)] = committed ? COMMITTED : ROLLED_BACK;
    }
  }

  /** How {@code number} ended, or UNKNOWN when it is not remembered or has not ended. */
  synchronized Settlement outcome(long number) {
    if (!remembers(number)) {
      return Settlement.UNKNOWN;
    }
    return switch (ring[slot(number)]) {
      case COMMITTED -> Settlement.COMMITTED;
      case ROLLED_BACK -> Settlement.ROLLED_BACK;
      default -> Settlement.UNKNOWN;
    };
  }

  private boolean remembers(long number) {
    return number > 0 && number <= newest && newest - number < CAPACITY;
  }

  private static int slot(long number) {
    return (int) (number % CAPACITY);
  }
}
