package io.sparking.flume.sql.internal;

import io.sparking.flume.FlumeEvent;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's log under the query's checkpoint: every Flume batch is appended to the open segment
 * and synced ({@code hsync}) before its store returns, so before Flume hears it acknowledged.
 * Positions count events from the log's start; a micro-batch's end is where {@link #seal()} closed
 * the open segment, so every batch reads whole sealed segments, {@code <start>-<end>.seg}, and a
 * restarted query reads the same ones again.
 *
 * <p>On open, a segment left open by a crash is sealed with the intact frames it holds (a torn last
 * frame was never acknowledged). {@link #commit(long)} deletes the segments every batch up to a
 * position has read, except the newest one, which keeps the log's position across restarts.
 */
final class SourceLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceLog.class);
  private static final Pattern SEALED = Pattern.compile("(\\d{20})-(\\d{20})\\.seg");
  private static final Pattern OPEN = Pattern.compile("open-(\\d{20})\\.seg");

  private final FileSystem fs;
  private final Path dir;

  /** Sealed segments by start position: their end positions. Guarded by {@code this}. */
  private final TreeMap<Long, Long> sealed = new TreeMap<>();

  /** Held while syncing; taken before {@code this} wherever both are held. */
  private final Object syncLock = new Object();

  private long end;
  private long openStart;
  private FSDataOutputStream open;
  private IOException failure;

  /** Frames written so far; guarded by {@code this}. */
  private long written;

  /** Frames known synced; guarded by {@code syncLock}. */
  private long synced;

  private SourceLog(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /** The log in {@code dir} (created when missing), with any segment a crash left open sealed. */
  static SourceLog open(Path dir, Configuration conf) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    // As Spark's write-ahead log does: the checksummed local file system buffers below hflush.
    if (fs instanceof LocalFileSystem local) {
      fs = local.getRawFileSystem();
    }
    fs.mkdirs(dir);
    SourceLog log = new SourceLog(fs, dir);
    log.recover();
    return log;
  }

  private void recover() throws IOException {
    List<Path> leftOpen = new ArrayList<>();
    for (FileStatus file : fs.listStatus(dir)) {
      String name = file.getPath().getName();
      Matcher s = SEALED.matcher(name);
      if (s.matches()) {
        sealed.put(Long.parseLong(s.group(1)), Long.parseLong(s.group(2)));
      } else if (OPEN.matcher(name).matches()) {
        leftOpen.add(file.getPath());
      }
    }
    end = sealed.isEmpty() ? 0 : sealed.lastEntry().getValue();
    for (Path path : leftOpen) {
      Matcher m = OPEN.matcher(path.getName());
      m.matches();
      long start = Long.parseLong(m.group(1));
      long events = countIntact(path);
      if (events == 0) {
        // Nothing in it was acknowledged.
        fs.delete(path, false);
        continue;
      }
      if (start != end) {
        throw new IOException(
            "The Flume source log at "
                + dir
                + " holds an open segment "
                + path.getName()
                + " that does not follow its sealed ones (which end at "
                + end
                + "): the directory was changed by hand; restore it or start the query with a new"
                + " checkpoint location");
      }
      Path target = new Path(dir, sealedName(start, start + events));
      if (!fs.rename(path, target)) {
        throw new IOException("could not rename " + path + " to " + target);
      }
      sealed.put(start, start + events);
      end = start + events;
      LOG.info("Recovered {} events left in an open segment, now {}", events, target.getName());
    }
    LOG.info("Flume source log at {}: {} sealed segment(s), position {}", dir, sealed.size(), end);
  }

  private long countIntact(Path path) throws IOException {
    long events = 0;
    try (DataInputStream in = new DataInputStream(fs.open(path))) {
      Segments.Frame frame;
      while ((frame = Segments.next(in)) != null) {
        events += frame.events().size();
      }
    }
    return events;
  }

  /**
   * Appends {@code events} as one frame and syncs it; when this returns the batch survives a crash.
   * Batches appended while a sync runs share the next one (group commit): the connections write
   * side by side and wait for one sync, not for one each. After a failed write or sync the log
   * refuses every append (a torn frame must stay the last one) until the query restarts.
   */
  void append(List<FlumeEvent> events) throws IOException {
    if (events.isEmpty()) {
      return;
    }
    byte[] frame = Segments.frame(events, System.currentTimeMillis() * 1000);
    long mine;
    synchronized (this) {
      checkNotFailed();
      try {
        if (open == null) {
          openStart = end;
          open = fs.create(new Path(dir, "open-" + pad(end) + ".seg"), false);
        }
        open.write(frame);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      end += events.size();
      mine = ++written;
    }
    // Lock order everywhere: syncLock, then this.
    synchronized (syncLock) {
      if (synced >= mine) {
        return;
      }
      FSDataOutputStream stream;
      long upTo;
      synchronized (this) {
        checkNotFailed();
        stream = open;
        upTo = written;
      }
      try {
        stream.hsync();
      } catch (IOException e) {
        synchronized (this) {
          failure = e;
        }
        throw e;
      }
      synced = upTo;
    }
  }

  private void checkNotFailed() throws IOException {
    if (failure != null) {
      throw new IOException("the Flume source log at " + dir + " failed earlier", failure);
    }
  }

  /**
   * Seals the open segment, if any, and returns the position after the last event appended: the end
   * of the next micro-batch.
   */
  long seal() {
    synchronized (syncLock) {
      synchronized (this) {
        return sealLocked();
      }
    }
  }

  private long sealLocked() {
    if (failure != null) {
      throw new UncheckedIOException(
          new IOException(
              "writing the Flume source log at "
                  + dir
                  + " failed; restart the query from its checkpoint to recover the log",
              failure));
    }
    if (open != null) {
      try {
        // Frames whose appends still wait for a sync become durable here, before the offset that
        // covers them is handed to Spark.
        open.hsync();
        open.close();
        synced = written;
        Path from = new Path(dir, "open-" + pad(openStart) + ".seg");
        Path to = new Path(dir, sealedName(openStart, end));
        if (!fs.rename(from, to)) {
          throw new IOException("could not rename " + from + " to " + to);
        }
      } catch (IOException e) {
        failure = e;
        throw new UncheckedIOException(e);
      }
      open = null;
      sealed.put(openStart, end);
    }
    return end;
  }

  /** The sealed segments holding the events from {@code start} up to {@code end}. */
  synchronized List<SegmentPartition> segments(long start, long stop) {
    List<SegmentPartition> out = new ArrayList<>();
    long covered = start;
    Long first = sealed.floorKey(start);
    for (var segment : sealed.tailMap(first == null ? start : first, true).entrySet()) {
      long s = segment.getKey();
      long e = segment.getValue();
      if (s >= stop) {
        break;
      }
      if (e <= start) {
        continue;
      }
      if (s > covered) {
        break;
      }
      out.add(
          new SegmentPartition(
              new Path(dir, sealedName(s, e)).toString(),
              s,
              Math.max(s, start),
              Math.min(e, stop)));
      covered = Math.min(e, stop);
    }
    if (covered < stop) {
      throw new IllegalStateException(
          "The Flume source log at "
              + dir
              + " has no sealed segment for events "
              + covered
              + " to "
              + stop
              + " (it holds "
              + sealed
              + "): the checkpoint's sources directory was changed or removed; start the query"
              + " with a new checkpoint location");
    }
    return out;
  }

  /** Deletes the segments that end at or before {@code position}, but for the newest one. */
  synchronized void commit(long position) {
    Long newest = sealed.isEmpty() ? null : sealed.lastKey();
    List<Long> done = new ArrayList<>();
    for (var segment : sealed.entrySet()) {
      if (segment.getValue() <= position && !segment.getKey().equals(newest)) {
        done.add(segment.getKey());
      }
    }
    for (long start : done) {
      Path path = new Path(dir, sealedName(start, sealed.get(start)));
      try {
        fs.delete(path, false);
        sealed.remove(start);
      } catch (IOException e) {
        LOG.warn("Could not delete committed segment {}; trying again after the next batch", path);
      }
    }
  }

  /** The position after the last event appended. */
  synchronized long end() {
    return end;
  }

  /** Closes the open segment, leaving it for the next start to seal. */
  @Override
  public void close() {
    synchronized (syncLock) {
      synchronized (this) {
        if (open != null) {
          try {
            open.close();
          } catch (IOException e) {
            LOG.warn("Closing the open segment in {} failed: {}", dir, e.toString());
          }
          open = null;
        }
        // A batch still arriving from a connection being stopped is refused, so Flume keeps it.
        if (failure == null) {
          failure = new IOException("the log was closed");
        }
      }
    }
  }

  private static String sealedName(long start, long end) {
    return pad(start) + "-" + pad(end) + ".seg";
  }

  private static String pad(long position) {
    return String.format("%020d", position);
  }
}
