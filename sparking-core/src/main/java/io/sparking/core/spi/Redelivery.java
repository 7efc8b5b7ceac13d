package io.sparking.core.spi;

import java.io.Serializable;
import java.util.function.Predicate;

/**
 * How a receiver stream drops records that a restarted receiver stored again: a receiver that dies
 * before committing what it stored reads it again from the source's committed position, and its
 * blocks then repeat records of blocks that earlier batches delivered.
 *
 * <p>The stream calls it on the driver for each batch, over the batch's blocks in the order Spark
 * allocated them, with what earlier blocks delivered (the ledger). It keeps each batch's resulting
 * ledger with its checkpoint, so a batch recomputed after a driver restart starts from the same
 * ledger and drops the same records.
 *
 * @param <L> the ledger: immutable, small, serializable (it is checkpointed once per batch)
 */
public interface Redelivery<L extends Serializable> extends Serializable {
  /** The ledger before the first block: nothing delivered. */
  L nothingDelivered();

  /**
   * The records of a block with {@code positions} to keep, given what blocks before it delivered;
   * null to keep them all (the common case, so that a batch reads its blocks unfiltered).
   */
  BlockFilter filter(L delivered, Serializable positions);

  /** What is delivered once a block with {@code positions} is, after {@code delivered}. */
  L after(L delivered, Serializable positions);

  /** Which records of one block a batch keeps; it travels to the tasks that read the block. */
  interface BlockFilter extends Serializable {
    /**
     * A test for one read of the block, given its records in stored order: true keeps a record. A
     * new one for each read, so it may remember what it saw.
     */
    Predicate<Object> newRead();
  }
}
