package io.sparking.core.spi;

import java.io.Serializable;

/**
 * What a receiver tells the driver about a block it stores: how many records it holds, and where in
 * the source they come from. The driver keeps it with the block (and writes it to its write-ahead
 * log), so a batch recomputed after a driver restart sees it too; a {@link Redelivery} reads the
 * positions to drop what an earlier block already delivered.
 *
 * @param records the records in the block (Spark counts its elements, which may be packs)
 * @param positions the connector's own description of the block's source positions
 */
public record BlockMetadata(long records, Serializable positions) implements Serializable {}
