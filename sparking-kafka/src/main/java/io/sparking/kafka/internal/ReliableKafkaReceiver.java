package io.sparking.kafka.internal;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.sparking.core.spi.DrainableReceiver;
import io.sparking.core.spi.PackedRecords;
import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.storage.StreamBlockId;
import org.apache.spark.streaming.receiver.BlockGenerator;
import org.apache.spark.streaming.receiver.BlockGeneratorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.mutable.ArrayBuffer;

/**
 * A receiver that reads Kafka through a consumer group and commits a partition's offset only after
 * the block holding the records before it has been stored by Spark (and so written to the
 * write-ahead log when that is on).
 *
 * <p>Records go through a Spark {@link BlockGenerator}, as Spark's own reliable receivers did: it
 * cuts them into blocks every {@code spark.streaming.blockInterval}, and its rate ({@code
 * spark.streaming.receiver.maxRate}, or backpressure's estimate) throttles the consumer threads. A
 * consumer thread hands the generator a run of up to a hundred records of a partition at once, as
 * one pack written straight from the polled records, and admits runs at that rate itself ({@link
 * RunRateLimit}). The generator reports which offsets each block ends at; once {@code store} of a
 * block returns, those offsets are handed to the consumer thread that owns the partition, which
 * commits them (a {@code KafkaConsumer} is not thread-safe). After a failed store nothing more is
 * committed and the receiver restarts from the committed offsets: it stores again what it stored
 * but had not committed. Each block carries its offsets as its metadata, and the stream drops the
 * records a batch before delivered ({@link KafkaRedelivery}), so a restart (or a receiver lost with
 * its executor) neither loses nor duplicates.
 *
 * <p>A drain (before a graceful stop) stops the consumer threads, lets the generator store what it
 * holds and commits it synchronously, so when the drain returns the group's committed offsets are
 * exactly what Spark stored.
 */
// Travels to its executor with Java serialization under Kryo too: see DrainableReceiver.
@DefaultSerializer(JavaSerializer.class)
public final class ReliableKafkaReceiver extends DrainableReceiver<KafkaRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReliableKafkaReceiver.class);
  private static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaSettings settings;

  private transient BlockGenerator blockGenerator;
  private transient volatile List<ConsumerWorker> workers;
  private transient List<Thread> threads;
  private transient volatile boolean storeFailed;

  /**
   * Records handed to the block generator, and records in blocks it stored; equal when nothing is
   * in flight.
   */
  private transient AtomicLong added;

  private transient AtomicLong stored;

  /**
   * Whether the driver ordered a drain; Spark then stops the (flushed) block generator with the
   * receiver.
   */
  private transient volatile boolean drainedForStop;

  /** What was added since the last block was cut; guarded by the block generator's lock. */
  private transient BlockContents openBlock;

  private transient Map<StreamBlockId, BlockContents> cutBlocks;

  /** Kept across restarts of this receiver, so its counts go on. */
  private transient KafkaReceiverMetrics metrics;

  /** Creates a receiver for {@code settings}, keeping its blocks at {@code storageLevel}. */
  public ReliableKafkaReceiver(KafkaSettings settings, StorageLevel storageLevel) {
    super(storageLevel);
    this.settings = settings;
  }

  @Override
  protected void startReceiving() {
    if (blockGenerator != null && !blockGenerator.isStopped()) {
      // Left running by a drain that a restart followed; it holds nothing.
      blockGenerator.stop();
    }
    storeFailed = false;
    drainedForStop = false;
    added = new AtomicLong();
    stored = new AtomicLong();
    if (metrics == null) {
      metrics = new KafkaReceiverMetrics(streamId(), this::lag);
    }
    metrics.register();
    openBlock = new BlockContents();
    cutBlocks = new ConcurrentHashMap<>();
    blockGenerator = supervisor().createBlockGenerator(new OffsetTrackingListener());
    blockGenerator.start();

    workers = new ArrayList<>();
    threads = new ArrayList<>();
    int count = settings.threadsPerReceiver();
    List<List<TopicPartition>> shares = sharePartitions(settings.partitions(), count);
    boolean packing = packRecords();
    RunRateLimit rateLimit = new RunRateLimit();
    for (int i = 0; i < count; i++) {
      String name = "sparking-kafka-" + streamId() + "-consumer-" + i;
      ConsumerWorker worker =
          new ConsumerWorker(
              name, settings, shares.get(i), this, blockGenerator, packing, rateLimit);
      workers.add(worker);
      Thread thread = new Thread(worker, name);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
    LOG.info(
        "Receiver {} started {} consumer thread(s) in group {} on {}",
        settings.name(),
        count,
        settings.groupId(),
        settings.bootstrapServers());
  }

  @Override
  protected synchronized String drain() {
    drainedForStop = true;
    return flushAndCommit();
  }

  /**
   * Stops reading, waits until the generator stored what it holds, then commits what got stored.
   * The generator keeps running, empty: after a drain Spark stops it with the receiver, and would
   * warn if it were stopped already.
   */
  private synchronized String flushAndCommit() {
    if (workers == null) {
      return "nothing to drain";
    }
    workers.forEach(ConsumerWorker::requestStop);
    long deadline = System.nanoTime() + WORKER_STOP_TIMEOUT.toNanos();
    for (Thread thread : threads) {
      try {
        thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn(
            "{} did not stop within {}; interrupting it", thread.getName(), WORKER_STOP_TIMEOUT);
        thread.interrupt();
      }
    }
    boolean flushed = awaitStored(deadline);
    for (ConsumerWorker worker : workers) {
      worker.commitStoredAndClose();
    }
    workers = null;
    threads = null;
    return flushed
        ? "stopped reading; stored and committed all " + stored.get() + " records read"
        : "stopped reading; "
            + (added.get() - stored.get())
            + " records read but not stored (read again after a"
            + " restart)";
  }

  /**
   * Waits until every record handed to the generator is in a stored block; false on a failed store
   * or timeout.
   */
  private boolean awaitStored(long deadlineNanos) {
    while (stored.get() < added.get() && !storeFailed) {
      if (System.nanoTime() - deadlineNanos >= 0) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !storeFailed;
  }

  @Override
  protected void stopReceiving() {
    flushAndCommit();
    if (!drainedForStop && blockGenerator != null) {
      // A restart (or a stop without a drain): Spark stops a receiver's generators only when the
      // whole receiver
      // supervisor stops, and a restarted receiver makes a new one.
      blockGenerator.stop();
    }
    if (metrics != null) {
      metrics.unregister();
    }
    LOG.info("Receiver {} stopped", settings.name());
  }

  /** Whether a store failed since the receiver started; nothing more is committed then. */
  boolean storeFailed() {
    return storeFailed;
  }

  /** Called by a consumer thread after it handed {@code records} to the block generator. */
  void added(int records) {
    added.addAndGet(records);
  }

  /** The name of this receiver in logs and the Spark UI. */
  @Override
  public String toString() {
    return settings.name();
  }

  /**
   * Records not yet committed in the partitions the consumer threads hold, as last sampled (0
   * before that).
   */
  private long lag() {
    List<ConsumerWorker> current = workers;
    return current == null ? 0 : current.stream().mapToLong(ConsumerWorker::lag).sum();
  }

  /**
   * Called by a consumer thread that cannot go on: Spark restarts the receiver from the committed
   * offsets.
   */
  void consumerFailed(String message, Throwable error) {
    // reportError reaches the driver's listeners (and the UI); restart alone would only be logged
    // on the executor.
    reportError(message, error);
    restart(message, error);
  }

  private static List<List<TopicPartition>> sharePartitions(
      List<TopicPartition> partitions, int threads) {
    List<List<TopicPartition>> shares = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      shares.add(new ArrayList<>());
    }
    for (int i = 0; i < partitions.size(); i++) {
      shares.get(i % threads).add(partitions.get(i));
    }
    return shares;
  }

  /**
   * The records of a block, as the consumer threads added them: the offset each partition may be
   * committed at once it is stored, and its size.
   */
  private static final class BlockContents {
    final Map<TopicPartition, PendingCommit> offsets = new HashMap<>();
    final Map<TopicPartition, BlockOffsets.Range> ranges = new HashMap<>();
    long records;
    long dataBytes;
  }

  private final class OffsetTrackingListener implements BlockGeneratorListener {
    @Override
    public void onAddData(Object data, Object metadata) {
      AddedRun run = (AddedRun) metadata;
      openBlock.offsets.put(run.commit().partition(), run.commit());
      openBlock.ranges.merge(
          run.commit().partition(),
          new BlockOffsets.Range(run.firstOffset(), run.commit().nextOffset(), true),
          (earlier, later) -> earlier.then(later.from(), later.until()));
      openBlock.records += run.records();
      openBlock.dataBytes += run.dataBytes();
    }

    @Override
    public void onGenerateBlock(StreamBlockId blockId) {
      cutBlocks.put(blockId, openBlock);
      openBlock = new BlockContents();
    }

    // JavaConverters, deprecated in Scala 2.13, is the converter that Scala 2.12 has too.
    @Override
    @SuppressWarnings({"unchecked", "deprecation"})
    public void onPushBlock(StreamBlockId blockId, ArrayBuffer<?> elements) {
      BlockContents block = cutBlocks.remove(blockId);
      if (storeFailed || block == null) {
        // A block before this one was not stored; committing this one's offsets would skip it.
        return;
      }
      try {
        List<?> contents = scala.collection.JavaConverters.bufferAsJavaList(elements);
        // The offsets ride along with the block, so the stream drops what a restarted receiver
        // stores again (KafkaRedelivery).
        BlockOffsets offsets = new BlockOffsets(Map.copyOf(block.ranges));
        if (!contents.isEmpty() && contents.get(0) instanceof PackedRecords) {
          storePacks((List<PackedRecords<KafkaRecord>>) contents, offsets);
        } else {
          storePacked(KafkaRecordFormat.INSTANCE, (List<KafkaRecord>) contents, offsets);
        }
      } catch (Exception e) {
        // Not only RuntimeException: a failed write-ahead-log write reaches us as Spark's checked
        // SparkException (from awaitResult); escaping here, it would end the block generator's
        // pushing thread and stall the stream.
        storeFailed = true;
        restart(
            "Could not store block "
                + blockId
                + " of "
                + block.records
                + " records; the receiver restarts and reads them again from the last committed"
                + " offsets",
            e);
        return;
      }
      metrics.blockStored(block.records, block.dataBytes);
      stored.addAndGet(block.records);
      block.offsets.values().forEach(commit -> commit.owner().offerCommit(commit));
    }

    @Override
    public void onError(String message, Throwable error) {
      reportError(message, error);
    }
  }
}
