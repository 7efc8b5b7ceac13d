package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores the batches that arrive while a block is being stored together, as one block: a group
 * commit.
 *
 * <p>Every Flume batch used to become a Spark block of its own, and each block costs Spark a fixed
 * amount of work whatever its size: a block-manager put, a report to the driver, a task in the
 * batch's job and a removal later (about 7 ms of CPU per block on the benchmark machine, more than
 * the events in a 1,000-event block cost). Batches are small when the senders are many or their
 * batches are (Flume's avro sink sends 100 events by default).
 *
 * <p>A caller's batch waits only for the store already under way, never for a timer: the first
 * caller to find no store running stores everything queued so far (up to a number of events and of
 * body bytes) as one block; the others wait for it and return once the block holding their batch is
 * stored, or throw when it was not. Alone, a batch is stored at once, as before. Acknowledging
 * after {@link #store} returns stays exactly as safe as before: the batch is in a stored block.
 */
final class GroupCommitStore implements EventBatchStore {
  /** The receivers' limits: a few batches of any size, and blocks of a size Spark handles well. */
  private static final int MAX_EVENTS_PER_BLOCK = 20_000;

  private static final long MAX_BYTES_PER_BLOCK = 16L * 1024 * 1024;

  private final EventBatchStore blockStore;
  private final int maxEventsPerBlock;
  private final long maxBytesPerBlock;
  private final ArrayDeque<Request> queued = new ArrayDeque<>();
  private boolean storing;

  /** A store with the receivers' limits (20,000 events, 16 MiB of bodies per block). */
  public GroupCommitStore(EventBatchStore blockStore) {
    this(blockStore, MAX_EVENTS_PER_BLOCK, MAX_BYTES_PER_BLOCK);
  }

  /**
   * A store that hands groups of batches to {@code blockStore}, which stores its list as one block.
   *
   * @param maxEventsPerBlock the most events a group may hold
   * @param maxBytesPerBlock the most body bytes a group may hold; a single batch above either limit
   *     is stored alone
   */
  public GroupCommitStore(
      EventBatchStore blockStore, int maxEventsPerBlock, long maxBytesPerBlock) {
    if (maxEventsPerBlock < 1 || maxBytesPerBlock < 1) {
      throw new IllegalArgumentException(
          "maxEventsPerBlock and maxBytesPerBlock must be positive, got "
              + maxEventsPerBlock
              + " and "
              + maxBytesPerBlock);
    }
    this.blockStore = blockStore;
    this.maxEventsPerBlock = maxEventsPerBlock;
    this.maxBytesPerBlock = maxBytesPerBlock;
  }

  @Override
  public void store(List<FlumeEvent> events) {
    Request mine = new Request(events);
    synchronized (this) {
      queued.add(mine);
    }
    while (true) {
      List<Request> group;
      synchronized (this) {
        while (!mine.done && storing) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // Still queued means nobody stores it: take it back. Taken means it may be stored; the
            // caller does not
            // acknowledge it either way, so the sender sends it again (a duplicate at worst, never
            // a loss).
            queued.remove(mine);
            throw new IllegalStateException(
                "interrupted while waiting to store a batch of " + events.size() + " events", e);
          }
        }
        if (mine.done) {
          break;
        }
        storing = true;
        group = takeGroup();
      }
      Throwable failure = null;
      try {
        blockStore.store(concatenate(group));
      } catch (
          Throwable e) { // also Spark's checked SparkException, which Scala code throws undeclared
        failure = e;
      }
      synchronized (this) {
        for (Request r : group) {
          r.failure = failure;
          r.done = true;
        }
        storing = false;
        notifyAll();
      }
      if (failure instanceof Error error) {
        throw error;
      }
    }
    if (mine.failure != null) {
      throw new IllegalStateException(
          "Spark could not store the block holding this batch of "
              + events.size()
              + " events: "
              + mine.failure,
          mine.failure);
    }
  }

  /** How many batches wait for a block to take them (not those in the block being stored). */
  synchronized int queuedBatches() {
    return queued.size();
  }

  /** The queued requests from the oldest on, as many as fit in one block (at least one). */
  private List<Request> takeGroup() {
    List<Request> group = new ArrayList<>();
    long events = 0;
    long bytes = 0;
    while (!queued.isEmpty()) {
      Request next = queued.peek();
      if (!group.isEmpty()
          && (events + next.events.size() > maxEventsPerBlock
              || bytes + next.bytes > maxBytesPerBlock)) {
        break;
      }
      group.add(queued.poll());
      events += next.events.size();
      bytes += next.bytes;
    }
    return group;
  }

  private static List<FlumeEvent> concatenate(List<Request> group) {
    if (group.size() == 1) {
      return group.get(0).events;
    }
    int size = group.stream().mapToInt(r -> r.events.size()).sum();
    List<FlumeEvent> all = new ArrayList<>(size);
    group.forEach(r -> all.addAll(r.events));
    return all;
  }

  /** One caller's batch; {@code done} and {@code failure} change only under the store's lock. */
  private static final class Request {
    final List<FlumeEvent> events;
    final long bytes;
    boolean done;
    Throwable failure;

    Request(List<FlumeEvent> events) {
      this.events = events;
      long sum = 0;
      for (FlumeEvent e : events) {
        sum += e.bodyLength();
      }
      this.bytes = sum;
    }
  }
}
