package io.sparking.flume;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@value #SCHEME}, whose flush of a receiver's write-ahead
 * log (a file under {@code receivedData/}) can be made to hold right after the block is durable:
 * once {@link #holdNextFlush} is called, the next such flush holds for the given time. The block
 * then sits in the log, and its Flume batches wait for their ack: the window between the two, held
 * open. Spark runs in the test's JVM (local mode), so the test and the file system meet in this
 * class's static state.
 */
public final class HoldingWalFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "holdwal";

  private static final AtomicBoolean HOLD_NEXT = new AtomicBoolean();
  private static final AtomicInteger HELD = new AtomicInteger();
  private static final AtomicInteger RELEASED = new AtomicInteger();
  private static volatile Duration hold = Duration.ZERO;

  /** Makes the next flush of a receiver's write-ahead log hold for {@code duration}. */
  static void holdNextFlush(Duration duration) {
    hold = duration;
    HOLD_NEXT.set(true);
  }

  /** Flushes that held so far. */
  static int held() {
    return HELD.get();
  }

  /** Flushes that held and returned so far. */
  static int released() {
    return RELEASED.get();
  }

  /** Forgets an armed hold and the counts. */
  static void reset() {
    HOLD_NEXT.set(false);
    HELD.set(0);
    RELEASED.set(0);
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return holding(
        f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return holding(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress)
      throws IOException {
    return holding(f, super.append(f, bufferSize, progress));
  }

  private FSDataOutputStream holding(Path f, FSDataOutputStream out) {
    if (!f.toUri().getPath().contains("/receivedData/")) {
      return out;
    }
    return new FSDataOutputStream(new Holding(out), statistics, out.getPos());
  }

  /** Passes everything through; once armed, an hflush holds after the data is flushed. */
  private static final class Holding extends OutputStream implements Syncable {
    private final FSDataOutputStream out;

    Holding(FSDataOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void hflush() throws IOException {
      out.hflush();
      // Spark's writer flushes the wrapped stream after hflush for the local file system; here the
      // data is flushed first, then the hold.
      out.flush();
      if (HOLD_NEXT.compareAndSet(true, false)) {
        HELD.incrementAndGet();
        try {
          Thread.sleep(hold.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          RELEASED.incrementAndGet();
        }
      }
    }

    @Override
    public void hsync() throws IOException {
      out.hsync();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
