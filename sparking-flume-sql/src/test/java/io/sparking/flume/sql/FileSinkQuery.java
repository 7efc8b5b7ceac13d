package io.sparking.flume.sql;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;

/**
 * A query in a JVM of its own for the crash tests: pulls from {@code args[0]} ({@code
 * host:port,...}) and writes each body as a line into Spark's text file sink at {@code args[2]},
 * checkpointing at {@code args[1]}, until killed. With {@code args[3]}, the checkpoint is on the
 * {@link HoldingFileSystem}, whose next log sync after that file appears holds.
 */
public final class FileSinkQuery {
  private FileSinkQuery() {}

  public static void main(String[] args) throws Exception {
    SparkSession.Builder session =
        SparkSession.builder()
            .master("local[2]")
            .appName("FileSinkQuery")
            .config("spark.ui.enabled", "false");
    String checkpoint = args[1];
    if (args.length > 3) {
      session
          .config(
              "spark.hadoop.fs." + HoldingFileSystem.SCHEME + ".impl",
              HoldingFileSystem.class.getName())
          .config("spark.hadoop." + HoldingFileSystem.TRIGGER, args[3]);
      checkpoint = HoldingFileSystem.SCHEME + "://" + checkpoint;
    }
    SparkSession spark = session.getOrCreate();
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
        .option("checkpointLocation", checkpoint)
        .trigger(Trigger.ProcessingTime(500))
        .start()
        .awaitTermination();
  }
}
