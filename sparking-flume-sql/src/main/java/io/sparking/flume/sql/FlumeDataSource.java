package io.sparking.flume.sql;

import io.sparking.flume.sql.internal.FlumeTable;
import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * {@code spark.readStream.format("flume")}: Flume events as a replayable Structured Streaming
 * source. Every Flume batch is written and synced into a log under the query's checkpoint location
 * before Flume hears it acknowledged (the pull sink's transaction committed, the avro sink answered
 * OK), micro-batches are ranges of that log, and a restarted query reads them again from it; with
 * an idempotent sink such as Spark's file sink, each event comes out exactly once.
 *
 * <pre>{@code
 * Dataset<Row> events = spark.readStream().format("flume")
 *     .option("mode", "pull")
 *     .option("agents", "agent-1:9999,agent-2:9999")
 *     .load();                                 // headers map<string,string>, body binary, timestamp
 * events.selectExpr("CAST(body AS STRING) AS line").writeStream().format("parquet")
 *     .option("path", "/data/lines").option("checkpointLocation", "/checkpoints/lines").start();
 * }</pre>
 *
 * <p>Options, with the names and defaults of {@link io.sparking.flume.PullSettings} and {@link
 * io.sparking.flume.PushSettings}:
 *
 * <ul>
 *   <li>{@code mode} (required): {@code pull} from agents running Sparking's sink (or Spark 2.4's
 *       {@code SparkSink}), or {@code push}, an endpoint for Flume's {@code avro} sink.
 *   <li>pull: {@code agents} (required, {@code host:port,...}), {@code batchSize}, {@code
 *       connectionsPerAgent}, {@code callTimeout}, {@code connectTimeout}, {@code emptyBackoff},
 *       {@code reconnectBackoff}, {@code stopGrace} (durations such as {@code 500ms}, {@code 30s}).
 *   <li>push: {@code host} and {@code port} (required), {@code compression} ({@code none} or {@code
 *       deflate}), {@code compressionLevel}, {@code maxFrameBytes}, {@code threadsPerReceiver},
 *       {@code keystore}, {@code keystorePassword}, {@code keystoreType}.
 * </ul>
 *
 * <p>The connections run on the driver, which is where a push sink sends and from where pulls go
 * out; the executors read the log, so the checkpoint location must be on a file system they all see
 * (HDFS, or a shared mount) on a cluster.
 */
public final class FlumeDataSource implements TableProvider, DataSourceRegister {
  /** The name for {@code format(..)}: {@value}. */
  public static final String SHORT_NAME = "flume";

  /** Created by Spark's service loader. */
  public FlumeDataSource() {}

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return FlumeTable.SCHEMA;
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return new FlumeTable(properties);
  }
}
