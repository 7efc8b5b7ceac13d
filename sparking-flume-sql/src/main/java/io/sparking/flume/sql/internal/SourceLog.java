package io.sparking.flume.sql.internal;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.protocol.Settlement;
import io.sparking.flume.sql.internal.EventIds.MissingEventIdException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * <p>A pulled batch is logged before its sink transaction is acknowledged, so for a moment it is
 * both here and in the agent's channel. The log keeps the transaction with the batch and learns how
 * it ended ({@link #settled}): a batch whose transaction rolled back (the sink's timeout passed
 * first) is dropped, since the channel delivers it again. A segment is sealed only once each of its
 * batches is settled, and the frames it dropped are kept beside it in {@code <start>.drops}, so a
 * micro-batch never reads a batch that comes again.
 *
 * <p>On open, a segment left open by a crash is sealed with the intact frames it holds (a torn last
 * frame was never acknowledged), after asking each batch's sink how its transaction ended, which
 * commits one still open ({@link Settler}). {@link #commit(long)} deletes the segments every batch
 * up to a position has read, except the newest one, which keeps the log's position across restarts.
 *
 * <p>With {@link EventIds}, a pushed event whose id the log remembers is dropped before it is
 * written, and its batch answered once the copy already logged is synced. The ids of a committed
 * segment are kept in {@code <start>.ids} when it is deleted, until newer files hold the window; on
 * open, the ids are read back from those files and the segments.
 */
final class SourceLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceLog.class);
  private static final Pattern SEALED = Pattern.compile("(\\d{20})-(\\d{20})\\.seg");
  private static final Pattern OPEN = Pattern.compile("open-(\\d{20})\\.seg");
  private static final Pattern IDS = Pattern.compile("(\\d{20})\\.ids");

  /** Asks a pull sink how a transaction ended, committing it if it is still open. */
  @FunctionalInterface
  interface Settler {
    /** Never throws: a sink that cannot be asked gives {@link Settlement#UNKNOWN}. */
    Settlement settle(String agent, String transaction);

    /** For a log that holds only pushed batches, which have no transaction. */
    Settler NONE = (agent, transaction) -> Settlement.UNKNOWN;
  }

  /** A sealed segment: where it ends, the frames a reader skips, and its size on disk. */
  private record Sealed(long end, int[] dropped, long bytes) {}

  /** The segment appends go to, or one being sealed. Guarded by the log. */
  private static final class Segment {
    final long start;
    final FSDataOutputStream out;
    long end;
    long bytes;
    int frames;
    int unsettled;
    final TreeSet<Integer> dropped = new TreeSet<>();

    Segment(long start, FSDataOutputStream out) {
      this.start = start;
      this.end = start;
      this.out = out;
    }
  }

  /** Where a logged batch waiting for its settlement sits. */
  private record Unsettled(Segment segment, int frame) {}

  private final FileSystem fs;
  private final Path dir;
  private final Duration settleWait;
  private final long maxBytes;

  /** The ids of the newest events logged, or null when events are not told apart; guarded. */
  private final EventIds ids;

  /** The id files of deleted segments, by start, with how many ids each holds; guarded. */
  private final TreeMap<Long, Integer> idFiles = new TreeMap<>();

  /** Why pushed batches are refused for good, once one came without its id; guarded. */
  private MissingEventIdException refusal;

  /** What the segments hold on disk, sealed and open; guarded by {@code this}. */
  private long bytes;

  /** Whether the log refuses batches for want of room; guarded by {@code this}. */
  private boolean full;

  /**
   * A frame was taken past maxBytes (everything logged had been offered) and Spark has not
   * committed since: no second one until it does. Guarded by {@code this}.
   */
  private boolean pastBound;

  /** The end of the last micro-batch offered to Spark; guarded by {@code this}. */
  private long offered;

  /** Sealed segments by start position. Guarded by {@code this}. */
  private final TreeMap<Long, Sealed> sealed = new TreeMap<>();

  /** Logged batches by agent and transaction, until they are settled or sealed unsettled. */
  private final Map<String, Unsettled> unsettled = new HashMap<>();

  /** Held while syncing; taken before {@code this} wherever both are held. */
  private final Object syncLock = new Object();

  /** One seal (or close) at a time; taken before the others. */
  private final Object sealLock = new Object();

  private long end;
  private Segment open;
  private IOException failure;

  /** Frames written so far; guarded by {@code this}. */
  private long written;

  /** Frames known synced; guarded by {@code syncLock}. */
  private long synced;

  private SourceLog(FileSystem fs, Path dir, Duration settleWait, long maxBytes, EventIds ids) {
    this.fs = fs;
    this.dir = dir;
    this.settleWait = settleWait;
    this.maxBytes = maxBytes;
    this.ids = ids;
  }

  /**
   * The log in {@code dir} (created when missing), with any segment a crash left open sealed after
   * {@code settler} said how its batches' transactions ended. A seal waits up to {@code settleWait}
   * for the settlements of the batches in its segment. Once the segments hold {@code maxBytes},
   * batches are refused ({@link LogFullException}) until commits delete some.
   */
  static SourceLog open(
      Path dir, Configuration conf, Settler settler, Duration settleWait, long maxBytes)
      throws IOException {
    return open(dir, conf, settler, settleWait, maxBytes, null);
  }

  /**
   * The same, dropping each pushed event whose id {@code ids} remembers ({@code null}: none is
   * dropped); {@code ids} is filled from the log's id files and segments first.
   */
  static SourceLog open(
      Path dir,
      Configuration conf,
      Settler settler,
      Duration settleWait,
      long maxBytes,
      EventIds ids)
      throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    // As Spark's write-ahead log does: the checksummed local file system buffers below hflush.
    if (fs instanceof LocalFileSystem local) {
      fs = local.getRawFileSystem();
    }
    fs.mkdirs(dir);
    SourceLog log = new SourceLog(fs, dir, settleWait, maxBytes, ids);
    log.recover(settler);
    if (ids != null) {
      log.recoverIds();
    }
    return log;
  }

  private void recover(Settler settler) throws IOException {
    List<Path> leftOpen = new ArrayList<>();
    for (FileStatus file : fs.listStatus(dir)) {
      String name = file.getPath().getName();
      Matcher s = SEALED.matcher(name);
      if (s.matches()) {
        long start = Long.parseLong(s.group(1));
        long segmentEnd = Long.parseLong(s.group(2));
        Sealed other = sealed.get(start);
        if (other != null) {
          // A crash between sealing a segment and deleting the empty one that kept its start.
          if (other.end() != start && segmentEnd != start) {
            throw new IOException(
                "The Flume source log at "
                    + dir
                    + " holds two segments starting at "
                    + start
                    + ": the directory was changed by hand; restore it or start the query with a"
                    + " new checkpoint location");
          }
          fs.delete(new Path(dir, sealedName(start, start)), false);
          if (segmentEnd == start) {
            continue;
          }
        }
        sealed.put(start, new Sealed(segmentEnd, readDrops(start), file.getLen()));
        bytes += file.getLen();
      } else if (OPEN.matcher(name).matches()) {
        leftOpen.add(file.getPath());
      }
    }
    end = sealed.isEmpty() ? 0 : sealed.lastEntry().getValue().end();
    leftOpen.sort(Comparator.comparing(Path::getName));
    for (Path path : leftOpen) {
      Matcher m = OPEN.matcher(path.getName());
      m.matches();
      long start = Long.parseLong(m.group(1));
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
      recoverOpen(path, start, settler);
    }
    LOG.info("Flume source log at {}: {} sealed segment(s), position {}", dir, sealed.size(), end);
  }

  /**
   * Fills {@link #ids} from the id files of deleted segments, oldest first, then from the segments.
   */
  private void recoverIds() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    for (FileStatus file : fs.listStatus(dir)) {
      String name = file.getPath().getName();
      Matcher m = IDS.matcher(name);
      if (m.matches()) {
        files.put(Long.parseLong(m.group(1)), file.getPath());
      } else if (name.endsWith(".ids.tmp")) {
        fs.delete(file.getPath(), false);
      }
    }
    for (var file : files.entrySet()) {
      Sealed segment = sealed.get(file.getKey());
      if (segment != null && segment.end() > file.getKey()) {
        // A crash between writing the ids of a segment and deleting it: the segment holds them.
        fs.delete(file.getValue(), false);
        continue;
      }
      List<String> read;
      try (DataInputStream in = new DataInputStream(fs.open(file.getValue()))) {
        read = EventIds.read(in);
      }
      if (read == null) {
        throw new IOException(
            "The id file "
                + file.getValue()
                + " of the Flume source log is cut short: it was changed by hand; restore it or"
                + " start the query with a new checkpoint location");
      }
      ids.rememberIds(read);
      idFiles.put(file.getKey(), read.size());
    }
    for (var segment : sealed.entrySet()) {
      ids.rememberIds(idsOf(segment.getKey(), segment.getValue()));
    }
    LOG.info(
        "Flume source log at {}: remembers the ids ({}) of its newest {} event(s), of at most {}",
        dir,
        ids.header(),
        ids.size(),
        ids.window());
  }

  /** The ids of the events a sealed segment holds, less the frames it drops. */
  private List<String> idsOf(long start, Sealed segment) throws IOException {
    List<String> out = new ArrayList<>();
    if (segment.end() == start) {
      return out;
    }
    TreeSet<Integer> dropped = new TreeSet<>();
    for (int frame : segment.dropped()) {
      dropped.add(frame);
    }
    try (DataInputStream in =
        new DataInputStream(fs.open(new Path(dir, sealedName(start, segment.end()))))) {
      Segments.Frame frame;
      int index = 0;
      while ((frame = Segments.next(in)) != null) {
        if (!dropped.contains(index++)) {
          out.addAll(ids.idsOf(frame.events()));
        }
      }
    }
    return out;
  }

  /**
   * Seals a segment a crash left open: its intact frames, less those whose transaction rolled back
   * (known before the crash, or told by the sink now).
   */
  private void recoverOpen(Path path, long start, Settler settler) throws IOException {
    TreeSet<Integer> dropped = new TreeSet<>();
    for (int frame : readDrops(start)) {
      dropped.add(frame);
    }
    long events = 0;
    long droppedEvents = 0;
    int frames = 0;
    try (DataInputStream in = new DataInputStream(fs.open(path))) {
      Segments.Frame frame;
      while ((frame = Segments.next(in)) != null) {
        int index = frames++;
        events += frame.events().size();
        if (!dropped.contains(index)
            && !frame.transaction().isEmpty()
            && settler.settle(frame.agent(), frame.transaction()) == Settlement.ROLLED_BACK) {
          dropped.add(index);
        }
        if (dropped.contains(index)) {
          droppedEvents += frame.events().size();
        }
      }
    }
    if (events == 0) {
      // Nothing in it was acknowledged.
      fs.delete(path, false);
      fs.delete(dropsPath(start), false);
      return;
    }
    writeDrops(start, dropped);
    Path target = new Path(dir, sealedName(start, start + events));
    if (!fs.rename(path, target)) {
      throw new IOException("could not rename " + path + " to " + target);
    }
    long length = fs.getFileStatus(target).getLen();
    dropPositionMarker(start);
    sealed.put(start, new Sealed(start + events, toArray(dropped), length));
    bytes += length;
    end = start + events;
    LOG.info(
        "Recovered {} events left in an open segment, now {}; {} of them in {} batch(es) whose"
            + " transaction rolled back are left to the agent, which delivers them again",
        events,
        target.getName(),
        droppedEvents,
        dropped.size());
  }

  /**
   * Appends a pushed batch as one frame and syncs it; when this returns the batch survives a crash.
   */
  void append(List<FlumeEvent> events) throws IOException {
    if (ids == null) {
      append("", "", events);
    } else {
      appendUnseen(events);
    }
  }

  /**
   * Appends the events of a pushed batch whose ids are not remembered, and returns once they, and
   * the earlier copies of the others, are synced: an answer never says OK for an event that a crash
   * could still take away. An event without an id refuses the batch, and every later one.
   */
  private void appendUnseen(List<FlumeEvent> events) throws IOException {
    long mine;
    int dropped;
    synchronized (this) {
      checkNotFailed();
      if (refusal != null) {
        throw new IOException(refusal.getMessage(), refusal);
      }
      List<FlumeEvent> fresh;
      try {
        fresh = ids.unseen(events);
      } catch (MissingEventIdException e) {
        refusal = e;
        LOG.error(e.getMessage());
        throw e;
      }
      dropped = events.size() - fresh.size();
      if (fresh.isEmpty()) {
        mine = written;
      } else {
        // Under the lock, so that a copy arriving meanwhile finds these ids and waits for this
        // frame's sync.
        byte[] frame = Segments.frame("", "", fresh, System.currentTimeMillis() * 1000);
        write(frame);
        ids.remember(fresh);
        mine = countWritten(frame, fresh.size());
      }
    }
    if (dropped > 0) {
      LOG.info(
          "Dropped {} of {} pushed event(s) whose {} the log took already: sent again",
          dropped,
          events.size(),
          ids.header());
    }
    awaitSync(mine, "");
  }

  /**
   * Appends a batch taken from {@code agent} in its open {@code transaction} as one frame and syncs
   * it; when this returns the batch survives a crash, and {@link #settled} is to say how the
   * transaction ended. Batches appended while a sync runs share the next one (group commit): the
   * connections write side by side and wait for one sync, not for one each. After a failed write or
   * sync the log refuses every append (a torn frame must stay the last one) until the query
   * restarts.
   */
  void append(String agent, String transaction, List<FlumeEvent> events) throws IOException {
    if (events.isEmpty()) {
      return;
    }
    byte[] frame = Segments.frame(agent, transaction, events, System.currentTimeMillis() * 1000);
    String key = key(agent, transaction);
    long mine;
    synchronized (this) {
      checkNotFailed();
      write(frame);
      if (!transaction.isEmpty()) {
        open.unsettled++;
        unsettled.put(key, new Unsettled(open, open.frames));
      }
      mine = countWritten(frame, events.size());
    }
    awaitSync(mine, key);
  }

  /**
   * Writes {@code frame} to the open segment, opening one if need be, once {@link #checkRoom} let
   * it in; a failed write fails the log. Under this lock.
   */
  private void write(byte[] frame) throws IOException {
    checkRoom(frame.length);
    try {
      if (open == null) {
        open = new Segment(end, fs.create(openPath(end), false));
      }
      open.out.write(frame);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /** Counts a written frame of {@code events} events; returns its number among those written. */
  private long countWritten(byte[] frame, int events) {
    open.frames++;
    open.bytes += frame.length;
    bytes += frame.length;
    open.end += events;
    end += events;
    return ++written;
  }

  /**
   * Returns once the frames up to the {@code mine}th written are synced, syncing them if need be.
   */
  private void awaitSync(long mine, String key) throws IOException {
    // Lock order everywhere: syncLock, then this.
    synchronized (syncLock) {
      if (synced >= mine) {
        return;
      }
      FSDataOutputStream stream;
      long upTo;
      synchronized (this) {
        checkNotFailed(key);
        if (open == null) {
          // Sealed since, and so synced.
          return;
        }
        stream = open.out;
        upTo = written;
      }
      try {
        stream.hsync();
      } catch (IOException e) {
        synchronized (this) {
          failure = e;
          forget(key);
        }
        throw e;
      }
      synced = upTo;
    }
  }

  /**
   * How the transaction of a batch appended with it ended. A rolled-back batch is dropped from its
   * segment: the agent delivers it again.
   */
  synchronized void settled(String agent, String transaction, Settlement settlement) {
    Unsettled batch = unsettled.remove(key(agent, transaction));
    if (batch == null) {
      if (settlement == Settlement.ROLLED_BACK) {
        LOG.warn(
            "Batch {} from {} rolled back after its segment was sealed without its settlement;"
                + " its events come again and are read twice",
            transaction,
            agent);
      }
      return;
    }
    batch.segment().unsettled--;
    notifyAll();
    if (settlement == Settlement.ROLLED_BACK) {
      batch.segment().dropped.add(batch.frame());
      try {
        // Kept at once: after a crash the sink may no longer remember (it restarted).
        writeDrops(batch.segment().start, batch.segment().dropped);
      } catch (IOException e) {
        LOG.warn(
            "Could not write the dropped batches of segment {} in {} ({}); the seal writes them",
            batch.segment().start,
            dir,
            e.toString());
      }
    }
  }

  private void checkNotFailed(String key) throws IOException {
    if (failure != null) {
      forget(key);
      checkNotFailed();
    }
  }

  /** A batch whose append failed is nacked by its connection, never settled here. */
  private void forget(String key) {
    Unsettled batch = unsettled.remove(key);
    if (batch != null) {
      batch.segment().unsettled--;
    }
  }

  /**
   * Refuses a frame of {@code frameBytes} when the segments hold {@code maxBytes} already: the
   * agent keeps the batch in its channel until the query commits what it read. Spark commits a
   * micro-batch only when it plans the next one, which it does only for new data: so once
   * everything logged was offered to Spark, one more frame is taken, and the log holds at most
   * {@code maxBytes} and one batch. Only one: Spark offers that frame before it commits the
   * micro-batch before it, and a frame taken in between would be a second one past the bound.
   */
  private void checkRoom(int frameBytes) throws LogFullException {
    boolean unoffered = open != null || end > offered;
    boolean over = bytes > 0 && bytes + frameBytes > maxBytes;
    if (over && (unoffered || pastBound)) {
      if (!full) {
        full = true;
        LOG.warn(
            "The Flume source log at {} holds {} bytes, and a batch of {} more would pass"
                + " maxLogSize={}: batches are refused, and stay in the agents' channels, until"
                + " the query commits what it read",
            dir,
            bytes,
            frameBytes,
            maxBytes);
      }
      throw new LogFullException(
          "the Flume source log at "
              + dir
              + " holds "
              + bytes
              + " bytes, maxLogSize is "
              + maxBytes
              + ": the query is behind; the batch stays in Flume");
    }
    if (over) {
      pastBound = true;
    }
    if (full) {
      full = false;
      LOG.info("The Flume source log at {} takes batches again ({} bytes)", dir, bytes);
    }
  }

  /** What the segments hold on disk, sealed and open. */
  synchronized long bytes() {
    return bytes;
  }

  /** Spark was handed a micro-batch ending at {@code position}. */
  synchronized void offered(long position) {
    offered = Math.max(offered, position);
  }

  private void checkNotFailed() throws IOException {
    if (failure != null) {
      throw new IOException("the Flume source log at " + dir + " failed earlier", failure);
    }
  }

  /**
   * Seals the open segment, if any, once its batches are settled, and returns the position after
   * its last event: the end of the next micro-batch. Appends go on into a new segment meanwhile.
   */
  long seal() {
    synchronized (sealLock) {
      Segment cut;
      synchronized (syncLock) {
        synchronized (this) {
          failIfFailed();
          if (refusal != null) {
            throw new IllegalStateException(refusal.getMessage(), refusal);
          }
          cut = open;
          if (cut == null) {
            return end;
          }
          open = null;
          try {
            // Frames whose appends still wait for a sync become durable here, before the offset
            // that covers them is handed to Spark.
            cut.out.hsync();
            cut.out.close();
          } catch (IOException e) {
            failure = e;
            throw new UncheckedIOException(e);
          }
          synced = written;
        }
      }
      try {
        finish(cut);
      } catch (IOException e) {
        synchronized (this) {
          failure = e;
        }
        throw new UncheckedIOException(e);
      }
      return cut.end;
    }
  }

  /** Waits for the settlements of {@code cut}'s batches, then seals it with what it drops. */
  private void finish(Segment cut) throws IOException {
    int[] dropped;
    synchronized (this) {
      long deadline = System.nanoTime() + settleWait.toNanos();
      long left;
      while (cut.unsettled > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (cut.unsettled > 0) {
        LOG.warn(
            "{} batch(es) in segment {} of {} are not settled after {}; kept, so if their sink"
                + " rolls them back, their events are read twice",
            cut.unsettled,
            cut.start,
            dir,
            settleWait);
        unsettled.values().removeIf(batch -> batch.segment() == cut);
      }
      dropped = toArray(cut.dropped);
      writeDrops(cut.start, cut.dropped);
    }
    Path from = openPath(cut.start);
    Path to = new Path(dir, sealedName(cut.start, cut.end));
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
    synchronized (this) {
      dropPositionMarker(cut.start);
      sealed.put(cut.start, new Sealed(cut.end, dropped, cut.bytes));
    }
  }

  private void failIfFailed() {
    if (failure != null) {
      throw new UncheckedIOException(
          new IOException(
              "writing the Flume source log at "
                  + dir
                  + " failed; restart the query from its checkpoint to recover the log",
              failure));
    }
  }

  /** The sealed segments holding the events from {@code start} up to {@code end}. */
  synchronized List<SegmentPartition> segments(long start, long stop) {
    List<SegmentPartition> out = new ArrayList<>();
    long covered = start;
    Long first = sealed.floorKey(start);
    for (var segment : sealed.tailMap(first == null ? start : first, true).entrySet()) {
      long s = segment.getKey();
      long e = segment.getValue().end();
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
              Math.min(e, stop),
              segment.getValue().dropped()));
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
              + " (it holds segments starting at "
              + sealed.keySet()
              + "): the checkpoint's sources directory was changed or removed; start the query"
              + " with a new checkpoint location");
    }
    return out;
  }

  /**
   * Deletes the segments that end at or before {@code position}. The newest one, once read, gives
   * way to an empty segment at its end, {@code <end>-<end>.seg}, which keeps the log's position
   * across restarts and takes no room.
   */
  synchronized void commit(long position) {
    pastBound = false;
    Long newest = sealed.isEmpty() ? null : sealed.lastKey();
    if (newest != null && sealed.get(newest).end() <= position && sealed.get(newest).bytes() > 0) {
      long at = sealed.get(newest).end();
      try {
        fs.create(new Path(dir, sealedName(at, at)), true).close();
        sealed.put(at, new Sealed(at, new int[0], 0));
      } catch (IOException e) {
        LOG.warn("Could not write the position {} in {}: {}", at, dir, e.toString());
      }
      newest = sealed.lastKey();
    }
    List<Long> done = new ArrayList<>();
    for (var segment : sealed.entrySet()) {
      if (segment.getValue().end() <= position && !segment.getKey().equals(newest)) {
        done.add(segment.getKey());
      }
    }
    for (long start : done) {
      Path path = new Path(dir, sealedName(start, sealed.get(start).end()));
      try {
        if (ids != null) {
          keepIds(start, sealed.get(start));
        }
        fs.delete(dropsPath(start), false);
        fs.delete(path, false);
        bytes -= sealed.remove(start).bytes();
      } catch (IOException e) {
        LOG.warn("Could not delete committed segment {}; trying again after the next batch", path);
      }
    }
    if (ids != null) {
      forgetIdFiles();
    }
  }

  /** Writes and syncs the ids of a segment about to be deleted into {@code <start>.ids}. */
  private void keepIds(long start, Sealed segment) throws IOException {
    List<String> kept = idsOf(start, segment);
    if (kept.isEmpty()) {
      return;
    }
    Path tmp = new Path(dir, pad(start) + ".ids.tmp");
    try (FSDataOutputStream out = fs.create(tmp, true)) {
      EventIds.write(kept, out);
      out.hsync();
    }
    Path target = new Path(dir, pad(start) + ".ids");
    fs.delete(target, false);
    if (!fs.rename(tmp, target)) {
      throw new IOException("could not rename " + tmp + " to " + target);
    }
    idFiles.put(start, kept.size());
  }

  /** Deletes the oldest id files while the newer ones hold the whole window. */
  private void forgetIdFiles() {
    long held = idFiles.values().stream().mapToLong(Integer::longValue).sum();
    while (!idFiles.isEmpty() && held - idFiles.firstEntry().getValue() >= ids.window()) {
      long start = idFiles.firstKey();
      try {
        fs.delete(new Path(dir, pad(start) + ".ids"), false);
      } catch (IOException e) {
        LOG.warn("Could not delete the id file {} in {}: {}", start, dir, e.toString());
        return;
      }
      held -= idFiles.remove(start);
    }
  }

  /** Deletes the empty segment that kept the position at {@code start}: a segment starts there. */
  private void dropPositionMarker(long start) throws IOException {
    Sealed marker = sealed.get(start);
    if (marker != null && marker.end() == start) {
      fs.delete(new Path(dir, sealedName(start, start)), false);
    }
  }

  /** The position after the last event appended. */
  synchronized long end() {
    return end;
  }

  /**
   * Seals the open segment once its batches are settled (a stopped query leaves nothing to ask the
   * agents about), or leaves it open for the next start when that fails; then refuses appends.
   */
  @Override
  public void close() {
    synchronized (sealLock) {
      boolean settled = false;
      try {
        seal();
        settled = true;
      } catch (RuntimeException e) {
        LOG.warn("Sealing the open segment in {} on close failed: {}", dir, e.toString());
      }
      synchronized (syncLock) {
        synchronized (this) {
          if (!settled && open != null) {
            try {
              open.out.close();
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
  }

  private int[] readDrops(long start) throws IOException {
    List<Integer> frames = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(fs.open(dropsPath(start)))) {
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        frames.add(in.readInt());
      }
    } catch (FileNotFoundException e) {
      return new int[0];
    }
    return frames.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  /**
   * Writes and syncs the frames a segment drops (under the log's lock, or while recovering); none,
   * no file.
   */
  private void writeDrops(long start, TreeSet<Integer> dropped) throws IOException {
    if (dropped.isEmpty()) {
      return;
    }
    try (FSDataOutputStream out = fs.create(dropsPath(start), true);
        DataOutputStream data = new DataOutputStream(out)) {
      data.writeInt(dropped.size());
      for (int frame : dropped) {
        data.writeInt(frame);
      }
      data.flush();
      out.hsync();
    }
  }

  private static int[] toArray(TreeSet<Integer> frames) {
    return frames.stream().mapToInt(Integer::intValue).toArray();
  }

  private static String key(String agent, String transaction) {
    return agent + " " + transaction;
  }

  private Path openPath(long start) {
    return new Path(dir, "open-" + pad(start) + ".seg");
  }

  private Path dropsPath(long start) {
    return new Path(dir, pad(start) + ".drops");
  }

  private static String sealedName(long start, long end) {
    return pad(start) + "-" + pad(end) + ".seg";
  }

  private static String pad(long position) {
    return String.format("%020d", position);
  }
}
