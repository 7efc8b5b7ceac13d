package io.sparking.flume.sql;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;

/**
 * A query in a JVM of its own for the crash tests: pulls from {@code args[0]} ({@code
 * host:port,...}) and writes each body as a line into Spark's text file sink at {@code args[2]},
 * checkpointing at {@code args[1]}, until killed.
 */
public final class FileSinkQuery {
  private FileSinkQuery() {}

  public static void main(String[] args) throws Exception {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("FileSinkQuery")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    spark
        .readStream()
        .format("flume")
        .option("mode", "pull")
        .option("agents", args[0])
        .option("connectionsPerAgent", "2")
        .option("batchSize", "200")
        .option("callTimeout", "5s")
        .load()
        .selectExpr("CAST(body AS STRING)")
        .writeStream()
        .format("text")
        .option("path", args[2])
        .option("checkpointLocation", args[1])
        .trigger(Trigger.ProcessingTime(500))
        .start()
        .awaitTermination();
  }
}
