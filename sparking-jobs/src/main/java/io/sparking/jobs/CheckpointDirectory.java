package io.sparking.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Prepares a job's checkpoint directory: the default is per job under the working directory, and a
 * directory that another job already uses is refused, since mixing two jobs' checkpoints corrupts
 * both.
 *
 * <p>It also keeps a record of the sources ({@link #SOURCES_FILE}: the job and, say, its topics,
 * brokers and group) a checkpoint was made for. Spark recovers a context with the streams it
 * checkpointed, whatever the command line says, so a run given other sources would quietly resume
 * the old ones (and fail to reach them once they are gone); such a run is refused before Spark
 * starts. Both marks are kept for local directories only: on cluster storage (hdfs://, s3a://) the
 * directory is Spark's alone.
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

  private CheckpointDirectory() {}

  /**
   * Returns the directory to use for {@code job}: {@code given} or the default, created and marked
   * as the job's. Non-local URIs (hdfs://, s3a://) are passed to Spark unchecked, as given: a
   * {@link Path} would fold {@code hdfs://nn:8020/x} into {@code hdfs:/nn:8020/x}, losing the name
   * node.
   */
  static String prepare(String given, String job) {
    if (onClusterStorage(given)) {
      return given;
    }
    Path dir = Path.of(resolve(given, job));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot create checkpoint directory "
              + dir
              + " ("
              + e
              + "): pass"
              + " --checkpoint-dir with a writable directory");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalStateException(
          "Checkpoint directory "
              + dir
              + " is not writable: pass --checkpoint-dir"
              + " with a directory this user can write");
    }
    Path owner = dir.resolve(OWNER_FILE);
    try {
      if (Files.exists(owner)) {
        String other = Files.readString(owner, StandardCharsets.UTF_8).trim();
        if (!other.equals(job)) {
          throw new IllegalStateException(
              "Checkpoint directory "
                  + dir
                  + " belongs to job "
                  + other
                  + ", not "
                  + job
                  + ": pass --checkpoint-dir with a directory of this job's own");
        }
      } else {
        Files.writeString(owner, job + System.lineSeparator(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot write "
              + owner
              + " ("
              + e
              + "): pass --checkpoint-dir with a"
              + " writable directory");
    }
    return dir.toString();
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
   * otherwise: no checkpoint yet, the same sources, or cluster storage, which is not checked.
   *
   * @throws IllegalStateException naming each source that differs, with both values, and the two
   *     ways out
   */
  static boolean checkSources(String dir, String job, Map<String, String> sources) {
    if (onClusterStorage(dir)
        || !Files.isDirectory(Path.of(dir))
        || !holdsSparkCheckpoint(Path.of(dir))) {
      return true;
    }
    Path file = Path.of(dir, SOURCES_FILE);
    if (!Files.exists(file)) {
      return false;
    }
    Map<String, String> recorded = readSources(file);
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
    if (onClusterStorage(dir)) {
      return;
    }
    Path file = Path.of(dir, SOURCES_FILE);
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
      // Renamed into place, so a reader never sees half a record.
      Path temp =
          Files.writeString(Path.of(dir, SOURCES_FILE + ".tmp"), text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot write "
              + file
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

  private static Map<String, String> readSources(Path file) {
    Map<String, String> sources = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int equals = line.indexOf('=');
        if (!line.startsWith("#") && equals > 0) {
          sources.put(line.substring(0, equals), line.substring(equals + 1));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot read "
              + file
              + " ("
              + e
              + "): make it readable, or delete its"
              + " directory to start afresh");
    }
    return sources;
  }

  private static boolean holdsSparkCheckpoint(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      // A Structured Streaming query's checkpoint keeps its offset log in offsets/.
      return files.anyMatch(
          f ->
              SPARK_CHECKPOINT.matcher(f.getFileName().toString()).matches()
                  || (f.getFileName().toString().equals("offsets") && Files.isDirectory(f)));
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot list checkpoint directory "
              + dir
              + " ("
              + e
              + "): pass"
              + " --checkpoint-dir with a readable directory");
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
