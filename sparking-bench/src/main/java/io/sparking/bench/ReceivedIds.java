package io.sparking.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The ids one receiving JVM received, to prove delivery: every record's payload starts with its id
 * ({@link BenchData#id}), the ids sent are {@code 0 .. sent-1}, and each must arrive exactly once.
 * A concurrent bitset, one bit per id sent, set by every thread that handles records (Spark tasks
 * of the local master, consumer loops, server handlers), each record with the same work: its id
 * read from the payload and one atomic bit set.
 */
final class ReceivedIds {
  /** How many ids of each kind (lost, duplicate, unknown) a delivery names. */
  static final int EXAMPLES = 5;

  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long sent;
  private final long[] words;
  private final LongAdder distinct = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder unknown = new LongAdder();
  private final Examples duplicateIds = new Examples();
  private final Examples unknownIds = new Examples();

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
      unknownIds.add(id);
      return;
    }
    long bit = 1L << (id & (Long.SIZE - 1));
    long before = (long) WORDS.getAndBitwiseOr(words, (int) (id / Long.SIZE), bit);
    if ((before & bit) == 0) {
      distinct.increment();
    } else {
      duplicates.increment();
      duplicateIds.add(id);
    }
  }

  /** The distinct ids received so far: the count a run's target is checked against. */
  long distinct() {
    return distinct.sum();
  }

  /** What was received so far, with the first few lost, duplicate and unknown ids. */
  Delivery delivery() {
    return new Delivery(
        distinct.sum(),
        duplicates.sum(),
        unknown.sum(),
        lostIds(),
        duplicateIds.list(),
        unknownIds.list());
  }

  /** The lowest ids not received (yet), at most {@link #EXAMPLES}. */
  private List<Long> lostIds() {
    List<Long> lost = new ArrayList<>();
    for (int w = 0; w < words.length && lost.size() < EXAMPLES; w++) {
      for (long clear = ~(long) WORDS.getVolatile(words, w);
          clear != 0 && lost.size() < EXAMPLES;
          clear &= clear - 1) {
        long id = (long) w * Long.SIZE + Long.numberOfTrailingZeros(clear);
        if (id >= sent) {
          break;
        }
        lost.add(id);
      }
    }
    return lost;
  }

  /**
   * The first {@link #EXAMPLES} ids of one kind. Only runs that fail get here, so a lock is fine;
   * the volatile flag keeps a run with millions of duplicates off it once the examples are full.
   */
  private static final class Examples {
    private final List<Long> ids = new ArrayList<>();
    private volatile boolean full;

    void add(long id) {
      if (full) {
        return;
      }
      synchronized (this) {
        if (ids.size() < EXAMPLES) {
          ids.add(id);
        }
        full = ids.size() == EXAMPLES;
      }
    }

    synchronized List<Long> list() {
      return List.copyOf(ids);
    }
  }

  /**
   * What a receiving JVM received, by id.
   *
   * @param distinct ids received at least once
   * @param duplicates records whose id had been received before
   * @param unknown records whose payload held no id that was sent
   * @param lostIds the lowest ids not received, at most {@link #EXAMPLES}
   * @param duplicateIds the first ids received twice, at most {@link #EXAMPLES}
   * @param unknownIds the first unknown ids, -1 for a payload without one, at most {@link
   *     #EXAMPLES}
   */
  record Delivery(
      long distinct,
      long duplicates,
      long unknown,
      List<Long> lostIds,
      List<Long> duplicateIds,
      List<Long> unknownIds) {
    Delivery {
      lostIds = List.copyOf(lostIds);
      duplicateIds = List.copyOf(duplicateIds);
      unknownIds = List.copyOf(unknownIds);
    }

    /**
     * Reads what {@link #toLine()} wrote: {@code <distinct> <duplicates> <unknown> <lost ids>
     * <duplicate ids> <unknown ids>}, each list of ids comma-separated, {@code -} when empty.
     */
    static Delivery parse(String line) {
      String[] f = line.trim().split(" ");
      if (f.length != 6) {
        throw new IllegalArgumentException(
            "ids line '" + line + "' is invalid: expected 3 counts and 3 lists of ids");
      }
      return new Delivery(
          Long.parseLong(f[0]),
          Long.parseLong(f[1]),
          Long.parseLong(f[2]),
          ids(f[3]),
          ids(f[4]),
          ids(f[5]));
    }

    /** This delivery on one line, as {@link #parse} reads it. */
    String toLine() {
      return distinct
          + " "
          + duplicates
          + " "
          + unknown
          + " "
          + line(lostIds)
          + " "
          + line(duplicateIds)
          + " "
          + line(unknownIds);
    }

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

    /**
     * Such as {@code 999,998 distinct of 1,000,000: 2 lost (17, 4096), 1 duplicates (7), 0
     * unknown}, with at most {@link #EXAMPLES} ids of each kind.
     */
    String describe(long sent) {
      long lost = Math.max(0, sent - distinct);
      return String.format(
          Locale.ROOT,
          "%,d distinct of %,d: %,d lost%s, %,d duplicates%s, %,d unknown%s",
          distinct,
          sent,
          lost,
          examples(lostIds, lost),
          duplicates,
          examples(duplicateIds, duplicates),
          unknown,
          examples(unknownIds, unknown));
    }

    private static String examples(List<Long> ids, long count) {
      if (ids.isEmpty()) {
        return "";
      }
      return ids.stream()
          .map(id -> id < 0 ? "no id" : Long.toString(id))
          .collect(Collectors.joining(", ", " (", count > ids.size() ? ", ...)" : ")"));
    }

    private static String line(List<Long> ids) {
      return ids.isEmpty()
          ? "-"
          : ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static List<Long> ids(String field) {
      return field.equals("-")
          ? List.of()
          : Arrays.stream(field.split(",")).map(Long::valueOf).toList();
    }
  }
}
