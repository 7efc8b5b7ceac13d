package io.sparking.bench;

/**
 * How one run deviates from the plain throughput run: records offered at a steady rate while the
 * clock runs (rather than a backlog in place before it), another number of Kafka partitions or
 * receivers, a rate limit on the job, and whether the receiving JVM measures each record's latency.
 * Paths read what applies to them and ignore the rest. Whatever the variant, the source holds or is
 * offered exactly the run's target of records, the ids {@code 0 .. records-1}, so that the
 * receiving side can check each arrived once.
 *
 * @param offeredRate records/s the bench JVM offers while the run goes on; 0 for the plain run
 *     (Kafka: a backlog in place before the receiver starts; Flume: fed as fast as the source
 *     takes)
 * @param partitions the Kafka topic's partitions
 * @param receivers receivers of a receiver path, unioned
 * @param maxRate records/s each receiver may take ({@code spark.streaming.receiver.maxRate},
 *     backpressure on); 0 for no limit
 * @param latency whether payloads carry their creation time and the receiving JVM reports latency
 *     percentiles
 * @param connections Flume: the push agent's avro sinks, or the pull receiver's connections; 0 for
 *     the path's default
 */
record Variant(
    double offeredRate,
    int partitions,
    int receivers,
    long maxRate,
    boolean latency,
    int connections) {
  /**
   * The plain throughput run: the backlog of the shared 4-partition topic, one receiver, no limits.
   */
  static final Variant THROUGHPUT = new Variant(0, BenchEnvironment.PARTITIONS, 1, 0, false, 0);

  Variant {
    if (offeredRate < 0 || maxRate < 0 || connections < 0) {
      throw new IllegalArgumentException(
          "offeredRate, maxRate and connections must not be negative"
              + " (got "
              + offeredRate
              + ", "
              + maxRate
              + ", "
              + connections
              + ")");
    }
    if (partitions < 1 || receivers < 1 || receivers > partitions) {
      throw new IllegalArgumentException(
          "partitions="
              + partitions
              + ", receivers="
              + receivers
              + ": pass 1 or more partitions and 1 to that many receivers");
    }
  }

  /** The job's limit per receiver, if it has one. */
  java.util.OptionalLong maxRatePerReceiver() {
    return maxRate > 0 ? java.util.OptionalLong.of(maxRate) : java.util.OptionalLong.empty();
  }

  /** Whether records are offered at a steady rate while the run goes on. */
  boolean paced() {
    return offeredRate > 0;
  }

  Variant withPartitions(int count) {
    return new Variant(
        offeredRate, count, Math.min(receivers, count), maxRate, latency, connections);
  }

  Variant withReceivers(int count) {
    return new Variant(offeredRate, partitions, count, maxRate, latency, connections);
  }

  Variant withConnections(int count) {
    return new Variant(offeredRate, partitions, receivers, maxRate, latency, count);
  }

  /**
   * This variant's Flume connections (avro sinks or pull connections), or {@code pathDefault} when
   * unset.
   */
  int connectionsOr(int pathDefault) {
    return connections > 0 ? connections : pathDefault;
  }
}
