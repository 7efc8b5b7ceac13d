package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
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
}
