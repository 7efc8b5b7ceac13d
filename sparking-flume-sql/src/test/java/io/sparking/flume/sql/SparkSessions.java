package io.sparking.flume.sql;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** One local Spark session per test JVM, and what a query's file sink committed. */
final class SparkSessions {
  private static SparkSession session;

  private SparkSessions() {}

  static synchronized SparkSession local() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("sparking-flume-sql-test")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .getOrCreate();
    }
    return session;
  }

  /**
   * How often each body is in the text files that the file sink at {@code output} committed (read
   * through its {@code _spark_metadata} log, so files of a batch that never committed are not
   * counted).
   */
  static Map<String, Integer> committedCounts(SparkSession spark, Path output) {
    Map<String, Integer> counts = new HashMap<>();
    if (!output.resolve("_spark_metadata").toFile().isDirectory()) {
      return counts;
    }
    List<Row> rows = spark.read().text(output.toString()).collectAsList();
    for (Row row : rows) {
      counts.merge(row.getString(0), 1, Integer::sum);
    }
    return counts;
  }
}
