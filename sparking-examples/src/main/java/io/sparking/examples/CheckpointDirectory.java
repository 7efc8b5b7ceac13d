package io.sparking.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prepares a job's checkpoint directory: the default is per job under the working directory, and a directory that
 * another job already uses is refused, since mixing two jobs' checkpoints corrupts both.
 */
final class CheckpointDirectory {
  static final String OWNER_FILE = ".sparking-job";

  private CheckpointDirectory() {}

  /**
   * Returns the directory to use for {@code job}: {@code given} or the default, created and marked as the job's.
   * Non-local URIs (hdfs://, s3a://) are passed to Spark unchecked, as given: a {@link Path} would fold
   * {@code hdfs://nn:8020/x} into {@code hdfs:/nn:8020/x}, losing the name node.
   */
  static String prepare(String given, String job) {
    if (given != null && given.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !given.startsWith("file:")) {
      return given;
    }
    Path dir = given == null
        ? Path.of(".sparking", "checkpoints", job).toAbsolutePath()
        : Path.of(given.startsWith("file:") ? given.substring("file:".length()) : given).toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create checkpoint directory " + dir + " (" + e + "): pass"
          + " --checkpoint-dir with a writable directory");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalStateException("Checkpoint directory " + dir + " is not writable: pass --checkpoint-dir"
          + " with a directory this user can write");
    }
    Path owner = dir.resolve(OWNER_FILE);
    try {
      if (Files.exists(owner)) {
        String other = Files.readString(owner, StandardCharsets.UTF_8).trim();
        if (!other.equals(job)) {
          throw new IllegalStateException("Checkpoint directory " + dir + " belongs to job " + other + ", not "
              + job + ": pass --checkpoint-dir with a directory of this job's own");
        }
      } else {
        Files.writeString(owner, job + System.lineSeparator(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write " + owner + " (" + e + "): pass --checkpoint-dir with a"
          + " writable directory");
    }
    return dir.toString();
  }
}
