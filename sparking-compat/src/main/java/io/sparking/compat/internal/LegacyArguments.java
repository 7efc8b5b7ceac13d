package io.sparking.compat.internal;

import io.sparking.core.spi.InvalidSetting;
import org.apache.spark.storage.StorageLevel;

/** Checks of the arguments Spark 2.4's utilities took, shared by the Flume and Kafka ones. */
public final class LegacyArguments {
  private LegacyArguments() {}

  /** {@code storageLevel}, which an overload that takes one needs. */
  public static StorageLevel requiredStorageLevel(StorageLevel storageLevel) {
    return InvalidSetting.required(
        "storageLevel",
        storageLevel,
        "pass a StorageLevel such as"
            + " StorageLevel.MEMORY_AND_DISK_SER_2, or call the overload without one");
  }
}
