package io.sparking.jobs;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The durable output of {@code --output-dir}: one file per batch, {@code batch-<time-ms>.txt}, one
 * record per line.
 *
 * <p>A file is written under a hidden temporary name and then renamed atomically, so a reader (or a
 * driver that died mid-write) sees a batch complete or not at all. A batch time that runs again
 * after a recovery from the checkpoint (Spark re-runs the batches that were pending when the driver
 * died) adds {@code batch-<time-ms>.rerun-<k>.txt} instead of overwriting: whoever verifies the
 * output then sees every record that was output twice, rather than an idempotent overwrite hiding
 * it.
 */
final class BatchOutput implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Prefix of complete batch files; temporary files start with a dot and never match it. */
  static final String PREFIX = "batch-";

  private final String dir;

  private BatchOutput(String dir) {
    this.dir = dir;
  }

  /**
   * The output into {@code dir}, created now; null when {@code dir} is null (no output asked for).
   */
  static BatchOutput prepare(String dir) {
    if (dir == null) {
      return null;
    }
    Path path = Path.of(dir).toAbsolutePath();
    try {
      Files.createDirectories(path);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot create output directory "
              + path
              + " ("
              + e
              + "): pass --output-dir"
              + " with a writable directory");
    }
    return new BatchOutput(path.toString());
  }

  /** Writes {@code records} as the file of batch {@code timeMs}; returns the file. */
  Path write(long timeMs, List<String> records) {
    Path directory = Path.of(dir);
    Path temp = directory.resolve(".tmp-" + timeMs + "-" + System.nanoTime());
    try {
      Files.write(temp, records, StandardCharsets.UTF_8);
      for (int attempt = 0; ; attempt++) {
        Path target =
            directory.resolve(PREFIX + timeMs + (attempt == 0 ? "" : ".rerun-" + attempt) + ".txt");
        if (Files.exists(target)) {
          continue;
        }
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
          return target;
        } catch (FileAlreadyExistsException raced) {
          // Another writer took the name between the check and the move: try the next one.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write batch " + timeMs + " to " + directory, e);
    }
  }
}
