package io.sparking.core.spi;

import io.sparking.core.UnreadableBlockException;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.rdd.BlockRDD;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;

/**
 * The records of a batch's received blocks: reads them through Spark's block RDD (from the block
 * manager or, with the write-ahead log, from the log), unpacks {@link PackedRecords} and applies
 * the stream's conversion, if it has one. Blocks stored before packing (one object per record) pass
 * as they are, so a checkpoint and log written that way are read too.
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

  /** The blocks' ids by partition, for messages (BlockRDD's own are not shipped to tasks). */
  private final String[] blockNames;

  @SuppressWarnings({"unchecked", "rawtypes"})
  ReceivedRecordsRDD(
      BlockRDD<?> blocks, Function<Object, T> convert, ClassTag<T> type, String stream) {
    super(blocks.sparkContext(), blocks.blockIds(), type);
    this.blocks = (RDD) blocks;
    this.convert = convert;
    this.stream = stream;
    this.blockNames =
        java.util.Arrays.stream(blocks.blockIds()).map(Object::toString).toArray(String[]::new);
  }

  @Override
  public Partition[] getPartitions() {
    return blocks.partitions();
  }

  @Override
  public scala.collection.immutable.Seq<String> getPreferredLocations(Partition split) {
    return blocks.preferredLocations(split).toList();
  }

  @Override
  @SuppressWarnings("unchecked")
  public scala.collection.Iterator<T> compute(Partition split, TaskContext context) {
    java.util.Iterator<Object> stored =
        CollectionConverters.asJava(blocks.iterator(split, context));
    String blockId = blockNames[split.index()];
    java.util.Iterator<Object> records = new Unpacking(stored, stream, blockId);
    if (convert == null) {
      return CollectionConverters.asScala((java.util.Iterator<T>) (java.util.Iterator<?>) records);
    }
    return CollectionConverters.asScala(
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
