package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.protocol.Settlement;
import java.util.List;

/**
 * Where a receiver puts a whole batch; returns only once the batch is stored, throws when it was
 * not.
 */
@FunctionalInterface
public interface EventBatchStore {
  /**
   * Stores {@code events} as one unit, blocking until done; any exception means nothing may be
   * acknowledged.
   */
  void store(List<FlumeEvent> events);

  /**
   * Stores a batch a pull connection took from {@code agent} in its open transaction {@code
   * transaction}; by default as {@link #store(List)} does.
   */
  default void store(String agent, String transaction, List<FlumeEvent> events) {
    store(events);
  }

  /**
   * How the transaction of a batch stored by {@link #store(String, String, List)} ended; called
   * once for each such batch, on any thread. By default nothing is done with it.
   */
  default void settled(String agent, String transaction, Settlement settlement) {}
}
