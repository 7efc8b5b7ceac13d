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
 * for a minute. A batch then sits in the log, not yet acknowledged to its sink: the window between
 * the two, held open for a kill to land in.
 */
public final class HoldingFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "holdsync";
  static final String TRIGGER = "fs.holdsync.trigger";
  static final String HOLDING = "sparking-test: holding after a synced log write";

  private Path trigger;

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    String file = conf.get(TRIGGER);
    trigger = file == null ? null : Path.of(file);
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

  /** Passes everything through; a sync holds once triggered. */
  private final class Holding extends OutputStream implements Syncable {
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
    }

    @Override
    public void hsync() throws IOException {
      out.hsync();
      if (trigger != null && Files.deleteIfExists(trigger)) {
        System.out.println(HOLDING);
        System.out.flush();
        try {
          Thread.sleep(60_000);
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
