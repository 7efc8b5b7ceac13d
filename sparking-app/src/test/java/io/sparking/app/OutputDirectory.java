package io.sparking.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A job's {@code --output-dir}: one {@code batch-*} file per batch as a DStream job's driver writes
 * it, or the {@code part-*} files of Spark's file sink for a Structured Streaming job.
 */
final class OutputDirectory {
  private OutputDirectory() {}

  /** Every record line of the batch files in {@code out}, in file order; none before it exists. */
  static List<String> records(Path out) throws IOException {
    return records(out, "batch-");
  }

  /**
   * Every line of the files in {@code out} whose names start with {@code prefix}, in file order.
   */
  static List<String> records(Path out, String prefix) throws IOException {
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    List<String> records = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList()) {
        records.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
      }
    }
    return records;
  }
}
