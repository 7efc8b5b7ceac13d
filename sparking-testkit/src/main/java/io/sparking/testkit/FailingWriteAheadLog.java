package io.sparking.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.util.FileBasedWriteAheadLog;
import org.apache.spark.streaming.util.WriteAheadLog;
import org.apache.spark.streaming.util.WriteAheadLogRecordHandle;

/**
 * A receiver write-ahead log that fails one write mid-stream, as a storage outage would, and works
 * as Spark's own file-based log otherwise. Plugged in through Spark's documented setting {@code
 * spark.streaming.receiver.writeAheadLog.class}, so the receiver under test is the production one:
 * its {@code store} of that block fails exactly as it does when HDFS refuses a write.
 *
 * <p>Spark gives a custom log only the {@code SparkConf}, so its directory comes from {@link
 * #DIR_KEY}, and the write that fails (1-based, counted over the JVM) from {@link #FAIL_AT_KEY}.
 * The receiver runs in the test's JVM (local mode), which is why the counters are static.
 */
public final class FailingWriteAheadLog extends WriteAheadLog {
  /** Where the log's files go. */
  public static final String DIR_KEY = "spark.sparking.test.failingWal.dir";

  /** Which write fails, counting from 1 over all instances in the JVM. */
  public static final String FAIL_AT_KEY = "spark.sparking.test.failingWal.failAt";

  private static final AtomicInteger WRITES = new AtomicInteger();
  private static final AtomicInteger FAILURES = new AtomicInteger();

  private final FileBasedWriteAheadLog delegate;
  private final int failAt;

  /** Called by Spark's {@code WriteAheadLogUtils} with the application's configuration. */
  public FailingWriteAheadLog(SparkConf conf) {
    this.failAt = conf.getInt(FAIL_AT_KEY, -1);
    this.delegate =
        new FileBasedWriteAheadLog(conf, conf.get(DIR_KEY), new Configuration(), 60, 3, false);
  }

  /** Starts counting writes afresh (before a test). */
  public static void reset() {
    WRITES.set(0);
    FAILURES.set(0);
  }

  /** How many writes failed on purpose so far. */
  public static int failures() {
    return FAILURES.get();
  }

  /** How many writes were attempted so far. */
  public static int writes() {
    return WRITES.get();
  }

  @Override
  public WriteAheadLogRecordHandle write(ByteBuffer record, long time) {
    if (WRITES.incrementAndGet() == failAt) {
      FAILURES.incrementAndGet();
      // Spark's block handler waits for this write and rethrows its failure, wrapped, from the
      // receiver's store.
      throw new UncheckedIOException(
          new IOException(
              "Injected failure of write-ahead log write "
                  + failAt
                  + " (a simulated storage outage)"));
    }
    return delegate.write(record, time);
  }

  @Override
  public ByteBuffer read(WriteAheadLogRecordHandle handle) {
    return delegate.read(handle);
  }

  @Override
  public Iterator<ByteBuffer> readAll() {
    return delegate.readAll();
  }

  @Override
  public void clean(long threshTime, boolean waitForCompletion) {
    delegate.clean(threshTime, waitForCompletion);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
