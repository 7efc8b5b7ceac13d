package io.sparking.flume.sql.internal;

import java.util.Arrays;
import org.apache.spark.sql.connector.read.InputPartition;

/**
 * The part of one sealed segment a micro-batch reads: the events from {@code from} up to {@code
 * to}, in the file at {@code path} whose first event is at {@code segmentStart}, skipping the
 * frames (batches, counted from 0) in {@code droppedFrames}, whose transactions rolled back. The
 * skipped events keep their positions.
 */
record SegmentPartition(String path, long segmentStart, long from, long to, int[] droppedFrames)
    implements InputPartition {

  /** Whether the reader skips frame {@code frame}; {@code droppedFrames} is sorted. */
  boolean drops(int frame) {
    return Arrays.binarySearch(droppedFrames, frame) >= 0;
  }
}
