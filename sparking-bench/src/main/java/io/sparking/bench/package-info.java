/**
 * The benchmark, {@code ./sparking bench}: {@link Bench} measures records per second of every Kafka
 * and Flume path ({@link MeasuredPath}) on the same generated data next to its reference (raw
 * clients, Spark's own connectors, Spark 2.4.8's {@code SparkSink}), each run in a receiving JVM of
 * its own that reports through {@link Progress}, and writes the tables and a chart to {@code
 * bench/results}. A run counts only if every record sent arrived exactly once. A tool for the
 * project's own measurements; nothing depends on it.
 */
package io.sparking.bench;
