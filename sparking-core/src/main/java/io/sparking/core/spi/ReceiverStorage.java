package io.sparking.core.spi;

import java.util.Optional;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * The storage level of a receiver's blocks, chosen the same way for every connector: the level the
 * user set, kept as given; otherwise one serialized copy when the receivers write ahead (the log
 * makes a block durable, and Spark would warn about a second copy and keep one anyway), two without
 * the log.
 */
public final class ReceiverStorage {
  /** The default without the write-ahead log: a second copy on another executor. */
  public static final StorageLevel DEFAULT_LEVEL = StorageLevel.MEMORY_AND_DISK_SER_2();

  /** The default with the write-ahead log: one copy, the log holds the other. */
  public static final StorageLevel DEFAULT_LEVEL_WITH_WRITE_AHEAD_LOG =
      StorageLevel.MEMORY_AND_DISK_SER();

  private static final String WAL_ENABLED = "spark.streaming.receiver.writeAheadLog.enable";

  private ReceiverStorage() {}

  /** {@code chosen} if set, otherwise the default for the context's write-ahead-log setting. */
  public static StorageLevel level(JavaStreamingContext jssc, Optional<StorageLevel> chosen) {
    boolean wal = jssc.sparkContext().getConf().getBoolean(WAL_ENABLED, false);
    return chosen.orElse(wal ? DEFAULT_LEVEL_WITH_WRITE_AHEAD_LOG : DEFAULT_LEVEL);
  }
}
