package io.sparking.kafka.internal;

import org.apache.kafka.common.TopicPartition;

/**
 * The offset to commit for a partition once the block holding the record before it is stored, with
 * the assignment epoch of the consumer that read it: a commit from an assignment the consumer no
 * longer holds is dropped.
 */
record PendingCommit(TopicPartition partition, long nextOffset, long epoch, ConsumerWorker owner) {}
