package io.sparking.kafka.internal;

/**
 * What a consumer thread handed to the block generator at once: a run of records of one partition,
 * with the commit it makes possible once stored and its size for the receiver's metrics.
 */
record AddedRun(PendingCommit commit, int records, long dataBytes) {}
