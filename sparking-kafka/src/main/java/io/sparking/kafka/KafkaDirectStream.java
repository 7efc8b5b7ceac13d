package io.sparking.kafka;

import io.sparking.kafka.internal.CommitGate;
import io.sparking.kafka.internal.DirectCommits;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.kafka010.CanCommitOffsets;
import org.apache.spark.streaming.kafka010.HasOffsetRanges;
import org.apache.spark.streaming.kafka010.OffsetRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A direct Kafka stream with a way to commit each batch's offsets after its output succeeded.
 *
 * <pre>{@code
 * SparkingKafka.directStream(jssc, settings).foreachBatch((records, time) -> writeSomewhere(records));
 * }</pre>
 *
 * <p>Commits go through the connector's {@code commitAsync}: they are sent with the next batch, so
 * after a crash the last batch or two may be read again (at-least-once). A graceful stop ({@link
 * io.sparking.core.GracefulStop}) commits the last batches' offsets once the stream stopped, so the
 * group's offsets end exactly at what was output; and a start from the checkpoint skips a re-run
 * batch the group already committed. For exactly-once after crashes too, store the offset ranges
 * with the output in one transaction ({@link #foreachBatchWithOffsets}) and restart from the stored
 * offsets.
 */
public final class KafkaDirectStream implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaDirectStream.class);

  private final JavaInputDStream<ConsumerRecord<byte[], byte[]>> stream;
  private final KafkaSettings settings;

  KafkaDirectStream(
      JavaInputDStream<ConsumerRecord<byte[], byte[]>> stream, KafkaSettings settings) {
    this.stream = stream;
    this.settings = settings;
  }

  /** What a batch's output does; runs on the driver, once per batch. */
  @FunctionalInterface
  public interface BatchOutput extends Serializable {
    /** Writes one batch; an exception leaves its offsets uncommitted. */
    void write(JavaRDD<KafkaRecord> records, Time time) throws Exception;
  }

  /**
   * What a batch's output does when it keeps the offsets itself; runs on the driver, once per
   * batch. {@code ranges} holds one range per partition of the batch: {@code fromOffset()} is the
   * batch's first offset, {@code untilOffset()} the next one to read after it, which is what to
   * store as the partition's position.
   */
  @FunctionalInterface
  public interface OffsetsOutput extends Serializable {
    /** Writes one batch together with its offset ranges. */
    void write(JavaRDD<KafkaRecord> records, List<OffsetRange> ranges, Time time) throws Exception;
  }

  /** The connector's own stream, for offset ranges or its other features. */
  public JavaInputDStream<ConsumerRecord<byte[], byte[]>> consumerRecords() {
    return stream;
  }

  /**
   * The records as serializable {@link KafkaRecord}s, for transformations. Offsets are not
   * committed by this.
   */
  public JavaDStream<KafkaRecord> records() {
    return stream.map(KafkaRecord::from);
  }

  /**
   * Runs {@code output} on every batch, then commits the batch's offsets if it returned normally.
   * Once an output fails, this run commits nothing more (a later commit would cover the failed
   * batch too), so a restarted job reads again from the failed batch; the failure itself reaches
   * {@code awaitTermination}.
   */
  public void foreachBatch(BatchOutput output) {
    JavaInputDStream<ConsumerRecord<byte[], byte[]>> source = stream;
    CommitGate gate = new CommitGate();
    DirectCommits commits = new DirectCommits(settings);
    source.foreachRDD(
        (rdd, time) -> {
          OffsetRange[] ranges = ((HasOffsetRanges) rdd.rdd()).offsetRanges();
          if (commits.alreadyOutput(ranges)) {
            LOG.info(
                "Batch {} re-run from the checkpoint skipped: the group {} already committed its offsets, which"
                    + " happens only after its output",
                time,
                settings.groupId());
            return;
          }
          try {
            output.write(rdd.map(KafkaRecord::from), time);
          } catch (Exception | Error e) {
            if (gate.close()) {
              LOG.error(
                  "Output of batch {} failed; no more offsets are committed in this run, so a restart reads"
                      + " from this batch again",
                  time,
                  e);
            }
            throw e;
          }
          if (!gate.isOpen()) {
            return;
          }
          ((CanCommitOffsets) source.inputDStream())
              .commitAsync(ranges, new LoggingCommitCallback(time));
          commits.outputDone(rdd.context(), ranges);
        });
  }

  /**
   * Runs {@code output} on every batch with the batch's offset ranges, and commits nothing to
   * Kafka: the output owns the offsets (store them with the results in one transaction and start
   * the next run from them with {@link SparkingKafka#directStream(JavaStreamingContext,
   * KafkaSettings, Map)}). Once an output fails, the later batches of this run are not handed to
   * {@code output} but fail too, so the stored offsets never move past the failed batch; the
   * failure itself reaches {@code awaitTermination}.
   */
  public void foreachBatchWithOffsets(OffsetsOutput output) {
    CommitGate gate = new CommitGate();
    stream.foreachRDD(
        (rdd, time) -> {
          if (!gate.isOpen()) {
            throw new IllegalStateException(
                "Batch "
                    + time
                    + " not written: the output of an earlier batch failed in"
                    + " this run; restart the job to resume from the offsets the output stored");
          }
          List<OffsetRange> ranges = List.of(((HasOffsetRanges) rdd.rdd()).offsetRanges());
          try {
            output.write(rdd.map(KafkaRecord::from), ranges, time);
          } catch (Exception | Error e) {
            if (gate.close()) {
              LOG.error(
                  "Output of batch {} failed; later batches of this run are not written, so a restart resumes"
                      + " from the offsets the output stored",
                  time,
                  e);
            }
            throw e;
          }
        });
  }

  /**
   * Logs a failed commit. Serializable because the connector keeps the last callback in its stream,
   * which Spark checkpoints with the stream graph.
   */
  private static final class LoggingCommitCallback implements OffsetCommitCallback, Serializable {
    private static final long serialVersionUID = 1L;
    private final Time batch;

    LoggingCommitCallback(Time batch) {
      this.batch = batch;
    }

    @Override
    public void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception error) {
      if (error != null) {
        LOG.warn(
            "Commit of batch {} offsets failed: {}; the batch may be read again after a restart",
            batch,
            error.toString());
      }
    }
  }
}
