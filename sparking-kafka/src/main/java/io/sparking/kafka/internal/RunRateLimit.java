package io.sparking.kafka.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Admits a consumer thread's runs of records at a rate in records per second: a run is admitted
 * whole once the runs before it have had their time, and its own records then take up the time
 * after it. A consumer thread that hands packs to the block generator uses it in place of the
 * generator's limiter, which admits one element (here a whole pack) at a time.
 *
 * <p>Unlike a token bucket it saves up nothing while idle, so a rate is never exceeded, only
 * approached. One per receiver, shared by its consumer threads: the limit is the receiver's.
 */
final class RunRateLimit {
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** When the time taken by the runs admitted so far ends; guarded by this. */
  private long nextFreeNanos = System.nanoTime();

  /**
   * Waits until a run of {@code records} may go at {@code perSecond} records per second ({@code
   * Long.MAX_VALUE}: no limit); gives up and returns false as soon as {@code running} turns false.
   */
  boolean admit(int records, long perSecond, BooleanSupplier running) {
    if (perSecond <= 0 || perSecond == Long.MAX_VALUE) {
      return true;
    }
    long admitAt;
    synchronized (this) {
      // The run's time is taken at once, so threads waiting side by side each get their own.
      long now = System.nanoTime();
      if (nextFreeNanos - now < 0) {
        nextFreeNanos = now;
      }
      admitAt = nextFreeNanos;
      nextFreeNanos = admitAt + records * TimeUnit.SECONDS.toNanos(1) / perSecond;
    }
    // Waits in slices so that a stop does not wait for a long run at a low rate.
    for (long wait = admitAt - System.nanoTime(); wait > 0; wait = admitAt - System.nanoTime()) {
      if (!running.getAsBoolean()) {
        return false;
      }
      LockSupport.parkNanos(Math.min(wait, SLICE_NANOS));
    }
    return running.getAsBoolean();
  }

  /**
   * How many records a run holds at most at {@code perSecond}: about a twentieth of a second's
   * worth (at least one, at most {@code longest}), so a low rate still gives evenly filled blocks.
   */
  static int runLength(long perSecond, int longest) {
    if (perSecond <= 0 || perSecond == Long.MAX_VALUE) {
      return longest;
    }
    return (int) Math.max(1, Math.min(longest, perSecond / 20));
  }
}
