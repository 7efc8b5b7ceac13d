package io.sparking.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A job's {@code --output-dir}, as the driver writes it: one {@code batch-*} file per batch. */
final class OutputDirectory {
  private OutputDirectory() {}

  /** Every record line of the batch files in {@code out}, in file order; none before it exists. */
  static List<String> records(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    List<String> records = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().startsWith("batch-")).sorted().toList()) {
        records.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
      }
    }
    return records;
  }
}
