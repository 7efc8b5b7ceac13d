package io.sparking.core.spi;

import io.sparking.core.UnreadableBlockException;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.rdd.BlockRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.BlockId;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;

/**
 * The records of a batch's received blocks: reads them through Spark's block RDD (from the block
 * manager or, with the write-ahead log, from the log), unpacks {@link PackedRecords} and applies
 * the stream's conversion, if it has one. Blocks stored before packing (one object per record) pass
 * as they are, so a checkpoint and log written that way are read too.
 *
 * <p>Its partitions are runs of consecutive blocks, at most the context's default parallelism of
 * them, rather than one per block: a Flume receiver stores a block per batch it is sent (a hundred
 * a second and more), and a task per block spent more on starting tasks than on their records.
 * Blocks of one receiver sit on one executor, so a run keeps their locality.
 *
 * <p>It is itself a {@link BlockRDD} of the same blocks because Spark frees a batch's blocks only
 * through the RDD a receiver stream generated, and only if that RDD is a {@code BlockRDD}; a mapped
 * RDD on top would leave every block in the block manager.
 */
final class ReceivedRecordsRDD<T> extends BlockRDD<T> {
  private static final long serialVersionUID = 1L;

  private final RDD<Object> blocks;
  private final Function<Object, T> convert;
  private final String stream;

  /**
   * The blocks with records to drop (read again by a restarted receiver), by id; most have none.
   */
  private final java.util.Map<BlockId, Redelivery.BlockFilter> filters;

  @SuppressWarnings({"unchecked", "rawtypes"})
  ReceivedRecordsRDD(
      BlockRDD<?> blocks,
      Function<Object, T> convert,
      ClassTag<T> type,
      String stream,
      java.util.Map<BlockId, Redelivery.BlockFilter> filters) {
    super(blocks.sparkContext(), blocks.blockIds(), type);
    this.blocks = (RDD) blocks;
    this.convert = convert;
    this.stream = stream;
    // Keyed by id, not position: without the write-ahead log Spark leaves out blocks it lost.
    this.filters = new java.util.HashMap<>(filters);
  }

  @Override
  public Partition[] getPartitions() {
    Partition[] each = blocks.partitions();
    int runs = Math.max(1, Math.min(each.length, sparkContext().defaultParallelism()));
    Partition[] grouped = new Partition[each.length == 0 ? 0 : runs];
    for (int run = 0; run < grouped.length; run++) {
      // Even shares: the first (length % runs) runs take one block more.
      int from = (int) ((long) each.length * run / runs);
      int to = (int) ((long) each.length * (run + 1) / runs);
      grouped[run] = new BlockRun(run, java.util.Arrays.copyOfRange(each, from, to));
    }
    return grouped;
  }

  // immutable.Seq is Spark's Seq on Scala 2.13 and a subtype of it (scala.collection.Seq) on 2.12,
  // so this overrides on both.
  @Override
  public scala.collection.immutable.Seq<String> getPreferredLocations(Partition split) {
    Partition[] run = ((BlockRun) split).blocks;
    return blocks.preferredLocations(run[0]).toList();
  }

  // JavaConverters, deprecated in Scala 2.13, is the converter that Scala 2.12 has too.
  @Override
  @SuppressWarnings({"unchecked", "deprecation"})
  public scala.collection.Iterator<T> compute(Partition split, TaskContext context) {
    Partition[] run = ((BlockRun) split).blocks;
    java.util.Iterator<Object> records =
        new java.util.Iterator<>() {
          private int next;
          private java.util.Iterator<Object> block = java.util.Collections.emptyIterator();

          @Override
          public boolean hasNext() {
            while (!block.hasNext() && next < run.length) {
              Partition part = run[next++];
              block =
                  new Unpacking(
                      JavaConverters.asJavaIterator(blocks.iterator(part, context)),
                      stream,
                      String.valueOf(blockId(part)));
              Redelivery.BlockFilter filter = filters.get(blockId(part));
              if (filter != null) {
                block = new Filtering(block, filter.newRead());
              }
            }
            return block.hasNext();
          }

          @Override
          public Object next() {
            if (!hasNext()) {
              throw new java.util.NoSuchElementException();
            }
            return block.next();
          }
        };
    if (convert == null) {
      return JavaConverters.asScalaIterator(
          (java.util.Iterator<T>) (java.util.Iterator<?>) records);
    }
    return JavaConverters.asScalaIterator(
        new java.util.Iterator<T>() {
          @Override
          public boolean hasNext() {
            return records.hasNext();
          }

          @Override
          public T next() {
            try {
              return convert.call(records.next());
            } catch (RuntimeException e) {
              throw e;
            } catch (Exception e) {
              throw new IllegalStateException("Could not convert a received record", e);
            }
          }
        });
  }

  /** The id of the block behind one of Spark's block RDD partitions, or its index when unknown. */
  private static Object blockId(Partition part) {
    if (part instanceof org.apache.spark.rdd.BlockRDDPartition block) {
      return block.blockId();
    }
    if (part
        instanceof org.apache.spark.streaming.rdd.WriteAheadLogBackedBlockRDDPartition logged) {
      return logged.blockId();
    }
    return "#" + part.index();
  }

  /** The records of a block that its filter keeps. */
  private static final class Filtering implements java.util.Iterator<Object> {
    private final java.util.Iterator<Object> records;
    private final java.util.function.Predicate<Object> keep;
    private Object next;
    private boolean ready;

    Filtering(java.util.Iterator<Object> records, java.util.function.Predicate<Object> keep) {
      this.records = records;
      this.keep = keep;
    }

    @Override
    public boolean hasNext() {
      while (!ready && records.hasNext()) {
        Object record = records.next();
        if (keep.test(record)) {
          next = record;
          ready = true;
        }
      }
      return ready;
    }

    @Override
    public Object next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      ready = false;
      Object record = next;
      next = null;
      return record;
    }
  }

  /** A partition of consecutive blocks, each one of the block RDD's own partitions. */
  private static final class BlockRun implements Partition {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final Partition[] blocks;

    BlockRun(int index, Partition[] blocks) {
      this.index = index;
      this.blocks = blocks;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public int hashCode() {
      return index;
    }

    @Override
    public boolean equals(Object other) {
      return this == other;
    }
  }

  /**
   * Each pack's records in turn, and anything that is not a pack as it is. A block in a form this
   * release cannot read fails with {@link UnreadableBlockException}.
   */
  private static final class Unpacking implements java.util.Iterator<Object> {
    private final java.util.Iterator<Object> stored;
    private final String stream;
    private final String blockId;
    private java.util.Iterator<?> pack = java.util.Collections.emptyIterator();

    Unpacking(java.util.Iterator<Object> stored, String stream, String blockId) {
      this.stored = stored;
      this.stream = stream;
      this.blockId = blockId;
    }

    @Override
    public boolean hasNext() {
      while (!pack.hasNext()) {
        Object next;
        try {
          if (!stored.hasNext()) {
            return false;
          }
          next = stored.next();
        } catch (Exception | NoClassDefFoundError e) {
          // Exception, not RuntimeException: Spark's deserialization stream throws
          // ClassNotFoundException unchecked.
          if (UnreadableBlockException.isIncompatibleForm(e)) {
            throw new UnreadableBlockException(stream, blockId, e);
          }
          throw e;
        }
        pack =
            next instanceof PackedRecords<?> packed
                ? packed.iterator()
                : java.util.Collections.singletonList(next).iterator();
      }
      return true;
    }

    @Override
    public Object next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return pack.next();
    }
  }
}
