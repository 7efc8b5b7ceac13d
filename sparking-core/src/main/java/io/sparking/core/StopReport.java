package io.sparking.core;

import java.time.Duration;
import java.util.Map;

/**
 * What a {@link GracefulStop} did: how many receivers drained, and what it had to leave for a
 * restart from the checkpoint (nothing, when {@link #complete()}).
 *
 * @param receivers the Sparking receivers ordered to drain
 * @param undrained receivers that did not confirm their drain in time, by stream id with their
 *     names
 * @param leftBlocks received blocks no batch was given (-1 when Spark did not say)
 * @param leftRecords records in those blocks (-1 when Spark did not say)
 * @param lateBatches batches still running when the stop's time ran out: the context's stop
 *     finished them, but the checkpoint may not record them as done, so a restart from it may run
 *     them again
 * @param took how long the stop took
 */
public record StopReport(
    int receivers,
    Map<Integer, String> undrained,
    long leftBlocks,
    long leftRecords,
    int lateBatches,
    Duration took) {
  /** Whether everything the receivers stored was processed in this run. */
  public boolean complete() {
    return undrained.isEmpty() && leftBlocks == 0;
  }
}
