package io.sparking.flume.sql.internal;

import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The Flume source as a table Spark can read as a stream: its fixed schema, and the scan that
 * creates the {@link FlumeMicroBatchStream} under the query's checkpoint.
 */
public final class FlumeTable implements SupportsRead {
  /** headers (map of string to string), body (binary), timestamp (when the source received it). */
  public static final StructType SCHEMA =
      new StructType()
          .add(
              "headers",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false),
              false)
          .add("body", DataTypes.BinaryType, false)
          .add("timestamp", DataTypes.TimestampType, false);

  private final SourceOptions options;

  /**
   * The table for {@code options}, checked here, so that {@code load()} fails on a wrong one.
   *
   * @throws IllegalArgumentException naming the first invalid or unknown option
   */
  public FlumeTable(Map<String, String> options) {
    this.options = SourceOptions.parse(options);
  }

  @Override
  public String name() {
    return options.toString();
  }

  @Override
  public StructType schema() {
    return SCHEMA;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.MICRO_BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap ignored) {
    return () ->
        new Scan() {
          @Override
          public StructType readSchema() {
            return SCHEMA;
          }

          @Override
          public String description() {
            return options.toString();
          }

          @Override
          public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
            return new FlumeMicroBatchStream(
                options, checkpointLocation, SparkSession.active().sessionState().newHadoopConf());
          }
        };
  }
}
