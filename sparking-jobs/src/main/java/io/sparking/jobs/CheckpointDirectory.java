package io.sparking.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * Prepares a job's checkpoint directory: the default is per job under the working directory, and a
 * directory that another job already uses is refused, since mixing two jobs' checkpoints corrupts
 * both.
 *
 * <p>It also keeps a record of the sources ({@link #SOURCES_FILE}: the job and, say, its topics,
 * brokers and group) a checkpoint was made for. Spark recovers a context with the streams it
 * checkpointed, whatever the command line says, so a run given other sources would quietly resume
 * the old ones (and fail to reach them once they are gone); such a run is refused before Spark
 * starts. Both marks are kept wherever the checkpoint is: in a local directory, or on HDFS (or any
 * storage Hadoop's file system reaches, as Spark does).
 */
final class CheckpointDirectory {
  static final String OWNER_FILE = ".sparking-job";

  /**
   * The record of the sources a checkpoint was made for: {@code key=value} lines, written when it
   * is created.
   */
  static final String SOURCES_FILE = ".sparking-sources";

  /**
   * Spark's checkpoint files ({@code Checkpoint.REGEX}): a directory holding one is recovered, not
   * created.
   */
  private static final Pattern SPARK_CHECKPOINT = Pattern.compile("checkpoint-\\d+[\\w.]*");

  /** Where a Structured Streaming query's checkpoint keeps its offset log. */
  private static final String QUERY_OFFSETS = "offsets";

  private CheckpointDirectory() {}

  /**
   * Returns the directory to use for {@code job}: {@code given} or the default, created and marked
   * as the job's. URIs of other storage (hdfs://, s3a://) go through Hadoop's file system, with the
   * Hadoop client settings of the job's Spark configuration ({@code spark.hadoop.*}), and reach
   * Spark as given: a {@link Path} would fold {@code hdfs://nn:8020/x} into {@code
   * hdfs:/nn:8020/x}, losing the name node.
   */
  static String prepare(String given, String job) {
    String dir = resolve(given, job);
    Storage storage = Storage.of(dir);
    try {
      storage.createDirectory();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot create checkpoint directory "
              + dir
              + " ("
              + e
              + "): pass"
              + " --checkpoint-dir with a writable directory");
    }
    if (!storage.isWritable()) {
      throw new IllegalStateException(
          "Checkpoint directory "
              + dir
              + " is not writable: pass --checkpoint-dir"
              + " with a directory this user can write");
    }
    try {
      Optional<String> other = storage.read(OWNER_FILE).map(String::trim);
      if (other.isPresent() && !other.get().equals(job)) {
        throw new IllegalStateException(
            "Checkpoint directory "
                + dir
                + " belongs to job "
                + other.get()
                + ", not "
                + job
                + ": pass --checkpoint-dir with a directory of this job's own");
      }
      if (other.isEmpty()) {
        storage.write(OWNER_FILE, job + System.lineSeparator());
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot write "
              + storage.describe(OWNER_FILE)
              + " ("
              + e
              + "): pass --checkpoint-dir with a"
              + " writable directory");
    }
    return dir;
  }

  /** The directory {@link #prepare} would prepare, as Spark is given it; nothing is created. */
  static String resolve(String given, String job) {
    if (onClusterStorage(given)) {
      return given;
    }
    return (given == null
            ? Path.of(".sparking", "checkpoints", job)
            : Path.of(given.startsWith("file:") ? given.substring("file:".length()) : given))
        .toAbsolutePath()
        .toString();
  }

  /**
   * Checks, reading only, that the checkpoint in {@code dir}, if there is one, was made for these
   * {@code sources} of {@code job}. Returns false when {@code dir} holds a checkpoint without a
   * record of its sources (written before Sparking kept one): it is recovered unchecked. True
   * otherwise: no checkpoint yet, or the same sources.
   *
   * @throws IllegalStateException naming each source that differs, with both values, and the two
   *     ways out
   */
  static boolean checkSources(String dir, String job, Map<String, String> sources) {
    Storage storage = Storage.of(dir);
    Optional<String> record;
    try {
      if (!storage.holdsSparkCheckpoint()) {
        return true;
      }
      record = storage.read(SOURCES_FILE);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot read checkpoint directory "
              + dir
              + " ("
              + e
              + "): make it readable, or pass --checkpoint-dir with another directory");
    }
    if (record.isEmpty()) {
      return false;
    }
    Map<String, String> recorded = parseSources(record.get());
    Map<String, String> given = describe(job, sources);
    List<String> differences = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>(given.keySet());
    keys.addAll(recorded.keySet());
    for (String key : keys) {
      String then = recorded.getOrDefault(key, "(none)");
      String now = given.getOrDefault(key, "(none)");
      if (!then.equals(now)) {
        differences.add(key + " " + then + " there, " + now + " now");
      }
    }
    if (!differences.isEmpty()) {
      throw new IllegalStateException(
          "Checkpoint directory "
              + dir
              + " holds a run of "
              + recorded.getOrDefault("job", job)
              + " on other sources: "
              + String.join("; ", differences)
              + ". Recovering it would resume those, not the sources given. Pass --checkpoint-dir with another directory"
              + " to start afresh there, or delete "
              + dir
              + " to drop the old run (with whatever it received but did not"
              + " process yet)");
    }
    return true;
  }

  /**
   * Records {@code sources} of {@code job} as those the new checkpoint in {@code dir} is made for.
   */
  static void recordSources(String dir, String job, Map<String, String> sources) {
    Storage storage = Storage.of(dir);
    StringBuilder text =
        new StringBuilder(
                "# The sources this checkpoint was made for: a run of other sources is"
                    + " refused, since Spark would resume these.")
            .append(System.lineSeparator());
    describe(job, sources)
        .forEach(
            (key, value) ->
                text.append(key).append('=').append(value).append(System.lineSeparator()));
    try {
      storage.write(SOURCES_FILE, text.toString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot write "
              + storage.describe(SOURCES_FILE)
              + " ("
              + e
              + "): pass --checkpoint-dir with a writable"
              + " directory");
    }
  }

  private static Map<String, String> describe(String job, Map<String, String> sources) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("job", job);
    all.putAll(sources);
    return all;
  }

  private static Map<String, String> parseSources(String text) {
    Map<String, String> sources = new LinkedHashMap<>();
    for (String line : text.split("\\R")) {
      int equals = line.indexOf('=');
      if (!line.startsWith("#") && equals > 0) {
        sources.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    return sources;
  }

  /**
   * Where a checkpoint directory lives: a local directory, or any other storage through Hadoop's
   * file system (the one Spark writes the checkpoint and the write-ahead logs with).
   */
  private interface Storage {
    static Storage of(String dir) {
      return onClusterStorage(dir) ? new HadoopStorage(dir) : new LocalStorage(Path.of(dir));
    }

    void createDirectory() throws IOException;

    boolean isWritable();

    /** The text of file {@code name} in the directory, if it exists. */
    Optional<String> read(String name) throws IOException;

    /** Writes file {@code name} whole: a reader never sees half of it. */
    void write(String name, String text) throws IOException;

    /**
     * Whether the directory exists and holds a Spark checkpoint: a streaming context's checkpoint
     * files, or a Structured Streaming query's offset log.
     */
    boolean holdsSparkCheckpoint() throws IOException;

    /** File {@code name} in the directory, for messages. */
    String describe(String name);
  }

  private record LocalStorage(Path dir) implements Storage {
    @Override
    public void createDirectory() throws IOException {
      Files.createDirectories(dir);
    }

    @Override
    public boolean isWritable() {
      return Files.isWritable(dir);
    }

    @Override
    public Optional<String> read(String name) throws IOException {
      Path file = dir.resolve(name);
      return Files.exists(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
          : Optional.empty();
    }

    @Override
    public void write(String name, String text) throws IOException {
      // Renamed into place, so a reader never sees half of it.
      Path temp = Files.writeString(dir.resolve(name + ".tmp"), text, StandardCharsets.UTF_8);
      Files.move(
          temp,
          dir.resolve(name),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public boolean holdsSparkCheckpoint() throws IOException {
      if (!Files.isDirectory(dir)) {
        return false;
      }
      try (Stream<Path> files = Files.list(dir)) {
        return files.anyMatch(
            f ->
                SPARK_CHECKPOINT.matcher(f.getFileName().toString()).matches()
                    || (f.getFileName().toString().equals(QUERY_OFFSETS) && Files.isDirectory(f)));
      }
    }

    @Override
    public String describe(String name) {
      return dir.resolve(name).toString();
    }
  }

  private static final class HadoopStorage implements Storage {
    private final org.apache.hadoop.fs.Path dir;
    private final Configuration conf;

    HadoopStorage(String dir) {
      this.dir = new org.apache.hadoop.fs.Path(dir);
      this.conf = new Configuration();
      // The job's Hadoop client settings, as Spark hands them to its own Hadoop client.
      for (Tuple2<String, String> setting : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
        conf.set(setting._1(), setting._2());
      }
    }

    private FileSystem fs() throws IOException {
      return dir.getFileSystem(conf);
    }

    @Override
    public void createDirectory() throws IOException {
      fs().mkdirs(dir);
    }

    @Override
    public boolean isWritable() {
      // Hadoop's permissions are checked by the name node when writing: the owner file tells.
      return true;
    }

    @Override
    public Optional<String> read(String name) throws IOException {
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir, name);
      FileSystem fs = fs();
      if (!fs.exists(file)) {
        return Optional.empty();
      }
      try (InputStream in = fs.open(file)) {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }

    @Override
    public void write(String name, String text) throws IOException {
      FileSystem fs = fs();
      org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir, name);
      org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(dir, name + ".tmp");
      try (OutputStream out = fs.create(temp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      // HDFS renames onto an existing file only after it is gone; the file is rewritten only when
      // a new checkpoint starts.
      fs.delete(file, false);
      if (!fs.rename(temp, file)) {
        throw new IOException("cannot rename " + temp + " to " + file);
      }
    }

    @Override
    public boolean holdsSparkCheckpoint() throws IOException {
      FileSystem fs = fs();
      if (!fs.exists(dir)) {
        return false;
      }
      for (FileStatus status : fs.listStatus(dir)) {
        String name = status.getPath().getName();
        if (SPARK_CHECKPOINT.matcher(name).matches()
            || (name.equals(QUERY_OFFSETS) && status.isDirectory())) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String describe(String name) {
      return new org.apache.hadoop.fs.Path(dir, name).toString();
    }
  }

  /**
   * Whether {@code dir} is a URI of storage other than the local file system, such as hdfs:// or
   * s3a://.
   */
  private static boolean onClusterStorage(String dir) {
    return dir != null && dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !dir.startsWith("file:");
  }
}
