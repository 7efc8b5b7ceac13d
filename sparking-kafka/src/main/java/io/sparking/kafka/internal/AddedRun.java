package io.sparking.kafka.internal;

/**
 * What a consumer thread handed to the block generator at once: a run of records of one partition,
 * from its first offset, with the commit it makes possible once stored and its size for the
 * receiver's metrics.
 */
record AddedRun(long firstOffset, PendingCommit commit, int records, long dataBytes) {}
