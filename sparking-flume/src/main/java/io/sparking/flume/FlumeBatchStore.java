package io.sparking.flume;

import java.util.List;

/**
 * Where {@link FlumeConnections} put each Flume batch, whole: a batch is acknowledged to Flume (the
 * pull sink's transaction committed, the avro sink answered OK) only after {@link #store} returned,
 * and handed back (nacked, answered FAILED) when it threw.
 */
@FunctionalInterface
public interface FlumeBatchStore {
  /**
   * Makes {@code events} durable as one unit, blocking until done; called from several threads at
   * once.
   *
   * @throws Exception when the batch is not stored; Flume then keeps it and delivers it again
   */
  void store(List<FlumeEvent> events) throws Exception;
}
