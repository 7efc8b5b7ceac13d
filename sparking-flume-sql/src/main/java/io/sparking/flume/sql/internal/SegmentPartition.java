package io.sparking.flume.sql.internal;

import org.apache.spark.sql.connector.read.InputPartition;

/**
 * The part of one sealed segment a micro-batch reads: the events from {@code from} up to {@code
 * to}, in the file at {@code path} whose first event is at {@code segmentStart}.
 */
record SegmentPartition(String path, long segmentStart, long from, long to)
    implements InputPartition {}
