package io.sparking.core.spi;

import io.sparking.core.internal.DrainEndpoint;
import io.sparking.core.internal.DrainWatch;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.receiver.Receiver;

/**
 * A receiver that the driver can drain before a graceful stop: on the order, it stops taking data
 * in, stores what it holds, commits or acknowledges what it stored, and stays idle (and started, so
 * Spark does not restart it) until the context stops it. {@link io.sparking.core.GracefulStop}
 * orders the drain; {@link DrainableReceiverStream} wires the receiver to its driver.
 *
 * <p>Subclasses implement {@link #startReceiving()}, {@link #drain()} and {@link #stopReceiving()}
 * in place of {@code onStart} and {@code onStop}. Spark ships a receiver to its executor inside an
 * RDD partition written with {@code spark.serializer}; a subclass names Java serialization for Kryo
 * ({@code @DefaultSerializer(JavaSerializer.class)}), whose field serializer cannot rebuild the
 * JDK's immutable collections that settings hold.
 *
 * @param <T> what the receiver stores
 */
public abstract class DrainableReceiver<T> extends Receiver<T> {
  private static final long serialVersionUID = 1L;

  /**
   * Set by the driver each time it hands this receiver out; null where no driver set it (a receiver
   * used alone).
   */
  private DrainEndpoint drainEndpoint;

  private transient DrainWatch watch;

  protected DrainableReceiver(StorageLevel storageLevel) {
    super(storageLevel);
  }

  /** Starts taking data in; the body of {@code onStart}. */
  protected abstract void startReceiving();

  /**
   * Stops taking data in and returns once everything taken in is stored and committed or
   * acknowledged (or, where it could not be stored, left to be delivered again by the source). Must
   * be idempotent; the receiver stays started. Returns a few words on what it did, for the driver's
   * log.
   */
  protected abstract String drain() throws Exception;

  /** Stops the receiver for good, after a drain or without one; the body of {@code onStop}. */
  protected abstract void stopReceiving();

  @Override
  public final void onStart() {
    startReceiving();
    DrainEndpoint endpoint = drainEndpoint;
    if (endpoint != null) {
      watch = DrainWatch.start(endpoint, toString(), this::drain);
    }
  }

  @Override
  public final void onStop() {
    DrainWatch running = watch;
    watch = null;
    if (running != null) {
      running.close();
    }
    stopReceiving();
  }

  /**
   * Stores {@code records} as one block of {@link PackedRecords} in {@code format}, blocking until
   * Spark has it (and the write-ahead log, when on, has it too), like {@code store(Iterator)}; a
   * failure throws. With the system property {@link #PACK_RECORDS} {@code false} the records are
   * stored one object each, as releases before packing did.
   */
  protected final void storePacked(RecordFormat<T> format, java.util.List<T> records) {
    if (records.isEmpty()) {
      return;
    }
    if (!packRecords()) {
      store(records.iterator());
      return;
    }
    storePacks(PackedRecords.pack(format, records));
  }

  /**
   * Like {@link #storePacked(RecordFormat, java.util.List)}, with the block's source {@code
   * positions} as its {@link BlockMetadata}, for the stream's {@link Redelivery}.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected final void storePacked(
      RecordFormat<T> format, java.util.List<T> records, java.io.Serializable positions) {
    if (records.isEmpty()) {
      return;
    }
    if (!packRecords()) {
      scala.collection.mutable.ArrayBuffer block = new scala.collection.mutable.ArrayBuffer();
      records.forEach(block::$plus$eq);
      store(block, new BlockMetadata(records.size(), positions));
      return;
    }
    storePacks(PackedRecords.pack(format, records), positions);
  }

  /**
   * Stores {@code packs} as one block, blocking like {@link #storePacked}: for a receiver that
   * packs records as it reads them (and checks {@link #packRecords()} first).
   */
  protected final void storePacks(java.util.List<PackedRecords<T>> packs) {
    storePacks(packs, null);
  }

  /**
   * Like {@link #storePacks(java.util.List)}, with the block's source {@code positions} as its
   * {@link BlockMetadata}, for the stream's {@link Redelivery}; null stores the count alone.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected final void storePacks(
      java.util.List<PackedRecords<T>> packs, java.io.Serializable positions) {
    if (packs.isEmpty()) {
      return;
    }
    scala.collection.mutable.ArrayBuffer block = new scala.collection.mutable.ArrayBuffer();
    long records = 0;
    for (PackedRecords<T> pack : packs) {
      block.$plus$eq(pack);
      records += pack.count();
    }
    // The block's elements are packs; the count rides along as the block's metadata.
    store(
        block,
        positions == null
            ? new PackedRecords.Count(records)
            : new BlockMetadata(records, positions));
  }

  /**
   * The JVM system property that turns packing off where receivers run ({@code
   * -Dsparking.receiver.packRecords=false}, through {@code spark.executor.extraJavaOptions} on a
   * cluster): to compare with packing, or to write blocks the way releases before it did. A system
   * property rather than a Spark setting because a restart from a checkpoint takes Spark's settings
   * from the checkpoint.
   */
  public static final String PACK_RECORDS = "sparking.receiver.packRecords";

  /** Whether receivers store records in packs here: true unless {@link #PACK_RECORDS} is false. */
  protected static boolean packRecords() {
    return !"false".equalsIgnoreCase(System.getProperty(PACK_RECORDS));
  }

  void attach(DrainEndpoint endpoint) {
    this.drainEndpoint = endpoint;
  }
}
