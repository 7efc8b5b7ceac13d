/**
 * Spark 2.4's Flume API over Sparking's receivers: {@link FlumeUtils} has every overload of Spark
 * 2.4.8's {@code FlumeUtils} ({@code createStream} for push, {@code createPollingStream} for pull),
 * and each event reaches the job as a {@link SparkFlumeEvent}, as it did. For Spark 2.4 jobs that
 * move to Spark 3.5 or 4.x by changing their imports; new code uses {@code
 * io.sparking.flume.SparkingFlume}. What differs from Spark 2.4 is in docs/migration.md.
 */
package io.sparking.compat.flume;
