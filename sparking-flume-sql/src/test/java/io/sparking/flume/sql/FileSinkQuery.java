package io.sparking.flume.sql;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.Trigger;

/**
 * A query in a JVM of its own for the crash tests: pulls from {@code args[0]} ({@code
 * host:port,...}), or with {@code push:<port>} listens for avro sinks on that port and drops events
 * sent again by their header {@code eventId}, and writes each body as a line into Spark's text file
 * sink at {@code args[2]}, checkpointing at {@code args[1]}, until killed. With {@code args[3]},
 * the checkpoint is on the {@link HoldingFileSystem}, whose next log sync after that file appears
 * holds until the file {@code args[3] + ".release"} appears.
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
          .config("spark.hadoop." + HoldingFileSystem.TRIGGER, args[3])
          .config("spark.hadoop." + HoldingFileSystem.RELEASE, args[3] + ".release");
      checkpoint = HoldingFileSystem.SCHEME + "://" + checkpoint;
    }
    SparkSession spark = session.getOrCreate();
    DataStreamReader source = spark.readStream().format("flume");
    if (args[0].startsWith("push:")) {
      source
          .option("mode", "push")
          .option("host", "127.0.0.1")
          .option("port", args[0].substring("push:".length()))
          .option("eventIdHeader", "eventId");
    } else {
      source
          .option("mode", "pull")
          .option("agents", args[0])
          .option("connectionsPerAgent", "2")
          .option("batchSize", "200")
          .option("callTimeout", "5s");
    }
    source
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
