package io.sparking.flume.sql.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.ReadMaxRows;
import org.apache.spark.sql.connector.read.streaming.SupportsAdmissionControl;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source on the driver: its Flume connections write every batch into the {@link SourceLog}
 * under the query's checkpoint before acknowledging it, each micro-batch ends where the log's open
 * segment is sealed, and executors read the sealed segments of a micro-batch as its partitions. On
 * start, the log asks the pull sinks how the batches a crash left unsettled ended before the first
 * offset is served.
 */
final class FlumeMicroBatchStream implements MicroBatchStream, SupportsAdmissionControl {
  private static final Logger LOG = LoggerFactory.getLogger(FlumeMicroBatchStream.class);

  private final String name;
  private final long maxEventsPerTrigger;
  private final SourceLog log;
  private final SerializableConfiguration conf;
  private final AutoCloseable connections;

  FlumeMicroBatchStream(
      SourceOptions options, String checkpointLocation, Configuration hadoopConf) {
    this.name = options.toString();
    this.maxEventsPerTrigger = options.maxEventsPerTrigger();
    this.conf = new SerializableConfiguration(hadoopConf);
    SinkSettler settler = options.settler();
    try {
      this.log =
          SourceLog.open(
              new Path(checkpointLocation, "segments"),
              hadoopConf,
              settler == null ? SourceLog.Settler.NONE : settler,
              options.settleWait(),
              options.maxLogBytes(),
              options.eventIds());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the Flume source log under " + checkpointLocation + ": " + e.getMessage(),
          e);
    } finally {
      if (settler != null) {
        settler.close();
      }
    }
    try {
      this.connections = options.connect(log);
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  @Override
  public Offset initialOffset() {
    return new LogOffset(0);
  }

  @Override
  public Offset latestOffset() {
    return offer(log.seal());
  }

  @Override
  public ReadLimit getDefaultReadLimit() {
    return maxEventsPerTrigger > 0
        ? ReadLimit.maxRows(maxEventsPerTrigger)
        : ReadLimit.allAvailable();
  }

  /**
   * Seals what the connections logged, and ends the micro-batch there or, under {@code
   * maxEventsPerTrigger}, that many events after {@code start}; the rest waits in the log.
   */
  @Override
  public Offset latestOffset(Offset start, ReadLimit limit) {
    long sealed = log.seal();
    if (limit instanceof ReadMaxRows rows) {
      long from = start == null ? 0 : ((LogOffset) start).position();
      return offer(Math.min(sealed, from + rows.maxRows()));
    }
    return offer(sealed);
  }

  private Offset offer(long position) {
    log.offered(position);
    return new LogOffset(position);
  }

  @Override
  public InputPartition[] planInputPartitions(Offset start, Offset end) {
    return log.segments(((LogOffset) start).position(), ((LogOffset) end).position())
        .toArray(new InputPartition[0]);
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new SegmentReaderFactory(conf);
  }

  @Override
  public Offset deserializeOffset(String json) {
    return LogOffset.parse(json);
  }

  @Override
  public void commit(Offset end) {
    log.commit(((LogOffset) end).position());
  }

  @Override
  public void stop() {
    try {
      connections.close();
    } catch (Exception e) {
      LOG.warn("Stopping the Flume connections of {} failed: {}", name, e.toString());
    } finally {
      log.close();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
