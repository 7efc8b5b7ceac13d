package io.sparking.kafka.internal;

import com.esotericsoftware.kryo.io.Output;
import io.sparking.core.spi.PackedRecords;
import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.spark.streaming.receiver.BlockGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer thread of a {@link ReliableKafkaReceiver}: polls its {@code KafkaConsumer}, hands
 * records to the block generator, and commits the offsets that other threads report as stored.
 *
 * <p>All use of the consumer happens on this thread, or on the stopping thread after this one has
 * ended.
 */
final class ConsumerWorker implements Runnable, ConsumerRebalanceListener {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerWorker.class);

  /**
   * How long the first metadata request may take, unless {@code default.api.timeout.ms} says
   * otherwise.
   */
  static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long a revocation waits for the records of the revoked partitions it handed off to be
   * stored: a block interval and a store, normally; far below the group's rebalance timeout.
   */
  private static final Duration REVOKE_STORE_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Records handed to the block generator at once: enough to amortise its lock, few enough to keep
   * latency.
   */
  private static final int HAND_OFF = 100;

  /** How often the lag is sampled: two small broker requests, off the per-record path. */
  private static final long LAG_SAMPLE_NANOS = Duration.ofSeconds(2).toNanos();

  private static final Duration LAG_TIMEOUT = Duration.ofSeconds(5);

  private final String name;
  private final KafkaSettings settings;
  private final List<TopicPartition> assignedPartitions;
  private final ReliableKafkaReceiver receiver;
  private final BlockGenerator blockGenerator;

  /** Whether runs go to the generator as packs, or as one KafkaRecord each. */
  private final boolean packing;

  private final RunRateLimit rateLimit;

  /** Where runs are packed; grows to the largest run's size and stays. */
  private final Output packBuffer = new Output(64 * 1024, -1);

  private final ConcurrentLinkedQueue<PendingCommit> stored = new ConcurrentLinkedQueue<>();

  /** The epoch of each partition's current assignment; touched only on the consumer's thread. */
  private final Map<TopicPartition, Long> epochs = new HashMap<>();

  /**
   * Per partition of the current assignment, the offset after the last record handed to the
   * generator, and the offset after the last record known stored; consumer's thread only.
   */
  private final Map<TopicPartition, Long> handedOff = new HashMap<>();

  private final Map<TopicPartition, Long> storedUpTo = new HashMap<>();

  private long nextEpoch;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile long lag;
  private long nextLagSample = System.nanoTime();

  ConsumerWorker(
      String name,
      KafkaSettings settings,
      List<TopicPartition> assignedPartitions,
      ReliableKafkaReceiver receiver,
      BlockGenerator blockGenerator,
      boolean packing,
      RunRateLimit rateLimit) {
    this.name = name;
    this.settings = settings;
    this.assignedPartitions = assignedPartitions;
    this.receiver = receiver;
    this.blockGenerator = blockGenerator;
    this.packing = packing;
    this.rateLimit = rateLimit;
  }

  @Override
  public void run() {
    try {
      Map<String, Object> config = new HashMap<>(settings.consumerConfig());
      config.putIfAbsent("client.id", name);
      // A member joining or leaving moves only the partitions that change owner, so the others'
      // threads go on reading; set partition.assignment.strategy to choose another.
      config.putIfAbsent(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
      consumer = new KafkaConsumer<>(config);
      checkReachable();
      if (settings.topics().isEmpty()) {
        if (assignedPartitions.isEmpty()) {
          return;
        }
        consumer.assign(assignedPartitions);
        onPartitionsAssigned(assignedPartitions);
      } else {
        consumer.subscribe(settings.topics(), this);
      }
      while (running) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(settings.pollTimeout());
        // One hand-off per run of up to HAND_OFF records of a partition, not per record: the
        // generator takes its lock once and the run lands in one block with its last offset, so
        // that offset is committed only once that block is stored. Packing, a run is one pack
        // written straight from the polled records.
        for (TopicPartition partition : polled.partitions()) {
          List<ConsumerRecord<byte[], byte[]>> records = polled.records(partition);
          Long epoch = epochs.get(partition);
          int from = 0;
          while (from < records.size() && running) {
            long limit = blockGenerator.getCurrentLimit();
            int to = Math.min(records.size(), from + RunRateLimit.runLength(limit, HAND_OFF));
            List<ConsumerRecord<byte[], byte[]>> run = records.subList(from, to);
            from = to;
            PendingCommit commit =
                new PendingCommit(
                    partition,
                    run.get(run.size() - 1).offset() + 1,
                    epoch == null ? -1 : epoch,
                    this);
            if (packing) {
              // The generator's limiter admits one element, here a pack, at a time.
              if (!rateLimit.admit(run.size(), limit, () -> running)) {
                break;
              }
              packBuffer.clear();
              long dataBytes = KafkaRecordFormat.writeAll(run, packBuffer);
              blockGenerator.addDataWithCallback(
                  PackedRecords.of(KafkaRecordFormat.INSTANCE, run.size(), packBuffer.toBytes()),
                  new AddedRun(run.get(0).offset(), commit, run.size(), dataBytes));
            } else {
              blockGenerator.addMultipleDataWithCallback(
                  asKafkaRecords(run),
                  new AddedRun(run.get(0).offset(), commit, run.size(), dataBytes(run)));
            }
            receiver.added(run.size());
            handedOff.put(partition, commit.nextOffset());
          }
        }
        commitStored(false);
        sampleLagWhenDue();
      }
    } catch (WakeupException e) {
      if (running) {
        receiver.consumerFailed(name + " was woken up unexpectedly", e);
      }
    } catch (KafkaException | IllegalStateException e) {
      if (running) {
        // Kafka reports a failed login as "failed to construct" or a bare exception; name the
        // settings instead.
        String reason =
            SecurityErrors.explain(e, settings)
                .map(explained -> "Kafka refused the connection: " + explained)
                .orElse(e.getMessage());
        receiver.consumerFailed(
            name
                + " failed reading "
                + settings.name()
                + " from "
                + settings.bootstrapServers()
                + ": "
                + reason
                + "; restarting from the committed offsets",
            e);
      }
    } catch (RuntimeException e) {
      if (running) {
        receiver.consumerFailed(name + " failed: " + e, e);
      }
    }
  }

  private static long dataBytes(List<ConsumerRecord<byte[], byte[]>> records) {
    long bytes = 0;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      bytes += Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
    }
    return bytes;
  }

  private static scala.collection.Iterator<Object> asKafkaRecords(
      List<ConsumerRecord<byte[], byte[]>> records) {
    Iterator<ConsumerRecord<byte[], byte[]>> source = records.iterator();
    return new scala.collection.AbstractIterator<>() {
      @Override
      public boolean hasNext() {
        return source.hasNext();
      }

      @Override
      public Object next() {
        return KafkaRecord.from(source.next());
      }
    };
  }

  /** Asks the thread to stop polling; it ends after its current poll or block hand-off. */
  void requestStop() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /**
   * Records that the block holding the records before {@code commit} is stored; the thread commits
   * it.
   */
  void offerCommit(PendingCommit commit) {
    stored.add(commit);
  }

  /**
   * The records of this consumer's partitions after their committed offsets, as last sampled (0
   * before that).
   */
  long lag() {
    return lag;
  }

  /**
   * Commits what was stored and closes the consumer; called once this worker's thread has ended.
   */
  void commitStoredAndClose() {
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c == null) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = drainStored();
    try {
      if (!offsets.isEmpty()) {
        try {
          c.commitSync(offsets, COMMIT_TIMEOUT);
        } catch (WakeupException e) {
          // requestStop() woke the consumer after its last poll; the wake-up is used up now, so
          // commit again.
          c.commitSync(offsets, COMMIT_TIMEOUT);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "{}: final commit of {} failed ({}); the records after the last commit will be read again",
          name,
          offsets,
          e.toString());
    } finally {
      c.close(CLOSE_TIMEOUT);
      consumer = null;
    }
  }

  /**
   * Before the partitions go to another consumer: waits until every record handed off from them is
   * stored, then commits exactly that, so the next owner starts after it and reads nothing twice.
   * Only a store that failed or took longer than {@link #REVOKE_STORE_TIMEOUT} leaves records for
   * the next owner to read again (a duplicate, never a loss).
   */
  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    long deadline = System.nanoTime() + REVOKE_STORE_TIMEOUT.toNanos();
    while (true) {
      drainStored()
          .forEach(
              (partition, offset) ->
                  offsets.merge(partition, offset, (a, b) -> a.offset() >= b.offset() ? a : b));
      List<TopicPartition> unstored =
          partitions.stream()
              .filter(p -> storedUpTo.getOrDefault(p, -1L) < handedOff.getOrDefault(p, -1L))
              .toList();
      if (unstored.isEmpty()) {
        break;
      }
      if (!running || receiver.storeFailed() || System.nanoTime() - deadline >= 0) {
        LOG.warn(
            "{}: records handed off from {} are not all stored {}; the next owner reads them again",
            name,
            unstored,
            running ? "within " + REVOKE_STORE_TIMEOUT : "before the stop");
        break;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      if (!offsets.isEmpty()) {
        consumer.commitSync(offsets, COMMIT_TIMEOUT);
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: commit on revocation of {} failed: {}", name, partitions, e.toString());
    }
    forget(partitions);
    LOG.info("{}: partitions revoked {}", name, partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    forget(partitions);
    LOG.info("{}: partitions lost {}", name, partitions);
  }

  private void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(epochs::remove);
    partitions.forEach(handedOff::remove);
    partitions.forEach(storedUpTo::remove);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      epochs.put(partition, nextEpoch++);
    }
    LOG.info("{}: partitions assigned {}", name, partitions);
  }

  private void commitStored(boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = drainStored();
    if (offsets.isEmpty()) {
      return;
    }
    if (sync) {
      consumer.commitSync(offsets, COMMIT_TIMEOUT);
    } else {
      consumer.commitAsync(
          offsets,
          (committed, error) -> {
            if (error != null) {
              LOG.warn(
                  "{}: commit of {} failed: {}; a later commit covers it",
                  name,
                  committed,
                  error.toString());
            }
          });
    }
  }

  /**
   * The highest stored offset of each partition this consumer still holds under the same
   * assignment.
   */
  private Map<TopicPartition, OffsetAndMetadata> drainStored() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    PendingCommit commit;
    while ((commit = stored.poll()) != null) {
      Long epoch = epochs.get(commit.partition());
      if (epoch == null || epoch != commit.epoch()) {
        continue;
      }
      OffsetAndMetadata previous = offsets.get(commit.partition());
      if (previous == null || previous.offset() < commit.nextOffset()) {
        offsets.put(commit.partition(), new OffsetAndMetadata(commit.nextOffset()));
      }
      storedUpTo.merge(commit.partition(), commit.nextOffset(), Math::max);
    }
    return offsets;
  }

  /**
   * Every few seconds: end offset minus committed offset, summed over the partitions this consumer
   * holds; a partition without a committed offset counts from its log start. A failed sample keeps
   * the previous value.
   */
  private void sampleLagWhenDue() {
    long now = System.nanoTime();
    if (now - nextLagSample < 0) {
      return;
    }
    nextLagSample = now + LAG_SAMPLE_NANOS;
    Set<TopicPartition> owned = consumer.assignment();
    if (owned.isEmpty()) {
      lag = 0;
      return;
    }
    try {
      Map<TopicPartition, Long> ends = consumer.endOffsets(owned, LAG_TIMEOUT);
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(owned, LAG_TIMEOUT);
      List<TopicPartition> uncommitted =
          owned.stream().filter(p -> committed.get(p) == null).toList();
      Map<TopicPartition, Long> starts =
          uncommitted.isEmpty() ? Map.of() : consumer.beginningOffsets(uncommitted, LAG_TIMEOUT);
      long total = 0;
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        OffsetAndMetadata done = committed.get(end.getKey());
        long from =
            done != null ? done.offset() : starts.getOrDefault(end.getKey(), end.getValue());
        total += Math.max(0, end.getValue() - from);
      }
      lag = total;
    } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
      throw e;
    } catch (KafkaException e) {
      // A metric must never restart the receiver: keep the last sample and try again later.
      LOG.debug("{}: lag sample failed: {}", name, e.toString());
    }
  }

  private void checkReachable() {
    Map<String, List<PartitionInfo>> topics;
    Object configured = settings.consumerProperties().get("default.api.timeout.ms");
    Duration timeout =
        configured == null
            ? METADATA_TIMEOUT
            : Duration.ofMillis(Long.parseLong(String.valueOf(configured)));
    try {
      topics = consumer.listTopics(timeout);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new IllegalStateException(
          "no Kafka broker at "
              + settings.bootstrapServers()
              + " answered within "
              + timeout.toMillis()
              + " ms: check the address and that the brokers listen there",
          e);
    }
    Set<String> wanted = new java.util.TreeSet<>(settings.topics());
    settings.partitions().forEach(p -> wanted.add(p.topic()));
    wanted.removeAll(topics.keySet());
    if (!wanted.isEmpty()) {
      LOG.warn(
          "{}: topics {} do not exist on {} yet; the receiver reads them once they are created",
          name,
          wanted,
          settings.bootstrapServers());
    }
  }
}
