package io.sparking.flume.sql;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code holdsync:}, whose sync of a source log segment can
 * be made to stop right after the data is durable: once the file named by {@code
 * fs.holdsync.trigger} exists, the next such sync deletes it, prints {@value #HOLDING} and sleeps
 * for a minute, or until the file named by {@code fs.holdsync.release} appears (it deletes it). A
 * batch then sits in the log, not yet acknowledged to its sink: the window between the two, held
 * open for a kill to land in. Once the file named by {@code fs.holdsync.fail} exists, the next such
 * sync deletes it and fails instead, as a full or broken disk would.
 */
public final class HoldingFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "holdsync";
  static final String TRIGGER = "fs.holdsync.trigger";
  static final String FAIL = "fs.holdsync.fail";
  static final String RELEASE = "fs.holdsync.release";
  static final String HOLDING = "sparking-test: holding after a synced log write";

  private Path trigger;
  private Path fail;
  private Path release;

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    trigger = path(conf.get(TRIGGER));
    fail = path(conf.get(FAIL));
    release = path(conf.get(RELEASE));
  }

  private static Path path(String file) {
    return file == null ? null : Path.of(file);
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
      org.apache.hadoop.fs.Path f,
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
      org.apache.hadoop.fs.Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    return holding(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream holding(org.apache.hadoop.fs.Path f, FSDataOutputStream out)
      throws IOException {
    if (!f.getName().startsWith("open-")) {
      return out;
    }
    return new FSDataOutputStream(new Holding(out), statistics);
  }

  /**
   * Passes everything through; once triggered, a sync that made new frames durable holds (one after
   * which nothing new was written has no batch waiting for its ack).
   */
  private final class Holding extends OutputStream implements Syncable {
    private final FSDataOutputStream out;
    private boolean unsynced;

    Holding(FSDataOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      unsynced = true;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      unsynced = len > 0 || unsynced;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void hflush() throws IOException {
      out.hflush();
    }

    @Override
    public void hsync() throws IOException {
      if (fail != null && Files.deleteIfExists(fail)) {
        throw new IOException("the test's file system refuses this sync");
      }
      out.hsync();
      boolean madeDurable = unsynced;
      unsynced = false;
      if (madeDurable && trigger != null && Files.deleteIfExists(trigger)) {
        System.out.println(HOLDING);
        System.out.flush();
        long until = System.nanoTime() + 60_000_000_000L;
        try {
          while (System.nanoTime() < until && !(release != null && Files.deleteIfExists(release))) {
            Thread.sleep(50);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
