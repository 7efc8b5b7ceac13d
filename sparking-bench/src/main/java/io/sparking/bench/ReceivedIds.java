package io.sparking.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ids one receiving JVM received, to prove delivery: every record's payload starts with its id
 * ({@link BenchData#id}), the ids sent are {@code 0 .. sent-1}, and each must arrive exactly once.
 * A concurrent bitset, one bit per id sent, set by every thread that handles records (Spark tasks
 * of the local master, consumer loops, server handlers), each record with the same work: its id
 * read from the payload and one atomic bit set.
 */
final class ReceivedIds {
  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long sent;
  private final long[] words;
  private final LongAdder distinct = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder unknown = new LongAdder();

  /** Tracks the ids {@code 0 .. sent-1}. */
  ReceivedIds(long sent) {
    if (sent < 0 || sent > (long) Integer.MAX_VALUE * Long.SIZE) {
      throw new IllegalArgumentException(
          "sent=" + sent + " is out of range: pass 0 to " + (long) Integer.MAX_VALUE * Long.SIZE);
    }
    this.sent = sent;
    this.words = new long[(int) ((sent + Long.SIZE - 1) / Long.SIZE)];
  }

  /**
   * Records one received id: a new one, a duplicate of one received before, or unknown (not sent,
   * or -1 for a payload that does not start with an id).
   */
  void record(long id) {
    if (id < 0 || id >= sent) {
      unknown.increment();
      return;
    }
    long bit = 1L << (id & (Long.SIZE - 1));
    long before = (long) WORDS.getAndBitwiseOr(words, (int) (id / Long.SIZE), bit);
    if ((before & bit) == 0) {
      distinct.increment();
    } else {
      duplicates.increment();
    }
  }

  /** The distinct ids received so far: the count a run's target is checked against. */
  long distinct() {
    return distinct.sum();
  }

  /** What was received so far. */
  Delivery delivery() {
    return new Delivery(distinct.sum(), duplicates.sum(), unknown.sum());
  }

  /**
   * What a receiving JVM received, by id.
   *
   * @param distinct ids received at least once
   * @param duplicates records whose id had been received before
   * @param unknown records whose payload held no id that was sent
   */
  record Delivery(long distinct, long duplicates, long unknown) {
    /**
     * Why a run that sent the ids {@code 0 .. sent-1} failed to deliver them exactly once, or null
     * when every id arrived once and nothing else did.
     */
    String problem(long sent) {
      if (distinct == sent && duplicates == 0 && unknown == 0) {
        return null;
      }
      return "ids: " + this.describe(sent);
    }

    /** Such as {@code 1,999,000 distinct of 2,000,000, 1,000 duplicates, 0 unknown}. */
    String describe(long sent) {
      return String.format(
          Locale.ROOT,
          "%,d distinct of %,d, %,d duplicates, %,d unknown",
          distinct,
          sent,
          duplicates,
          unknown);
    }
  }
}
