package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a job wrote with {@code --output-dir}, counted by record: {@link BatchOutput} writes each
 * batch's records one per line and renames the file into place, so a visible file is complete and
 * each is read once, as it appears. Re-run batch files ({@code batch-<time>.rerun-<k>.txt}, a batch
 * run again after a recovery) count like the others, and are also counted apart.
 */
final class BatchFiles {
  /** {@code batch-<time-ms>.txt} or {@code batch-<time-ms>.rerun-<k>.txt}. */
  private static final Pattern FILE_NAME =
      Pattern.compile(Pattern.quote(BatchOutput.PREFIX) + "(\\d+)(?:\\.rerun-(\\d+))?\\.txt");

  /** How many records an assertion message names as examples. */
  private static final int EXAMPLES = 10;

  private final Path dir;
  private final Set<Path> read = new HashSet<>();
  private final Map<String, Integer> counts = new HashMap<>();

  /** The records of each batch time's files, by run: 0 the first, k its {@code .rerun-<k>}. */
  private final Map<Long, TreeMap<Integer, List<String>>> runs = new HashMap<>();

  private long lines;
  private long rerunLines;
  private int files;
  private int rerunFiles;

  /** The batch files in {@code dir}, none read yet; the directory may not exist yet. */
  BatchFiles(Path dir) {
    this.dir = dir;
  }

  /** Reads the batch files that appeared since the last scan; returns this. */
  synchronized BatchFiles scan() throws IOException {
    if (!Files.isDirectory(dir)) {
      return this;
    }
    List<Path> fresh;
    try (Stream<Path> all = Files.list(dir)) {
      fresh =
          all.filter(f -> f.getFileName().toString().startsWith(BatchOutput.PREFIX))
              .filter(f -> !read.contains(f))
              .sorted()
              .toList();
    }
    for (Path file : fresh) {
      List<String> records;
      try {
        records = Files.readAllLines(file);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read batch file " + file, e);
      }
      for (String record : records) {
        counts.merge(record, 1, Integer::sum);
      }
      lines += records.size();
      files++;
      Matcher name = FILE_NAME.matcher(file.getFileName().toString());
      if (name.matches()) {
        runs.computeIfAbsent(Long.parseLong(name.group(1)), time -> new TreeMap<>())
            .put(name.group(2) == null ? 0 : Integer.parseInt(name.group(2)), records);
      }
      if (file.getFileName().toString().contains(".rerun-")) {
        rerunFiles++;
        rerunLines += records.size();
      }
      read.add(file);
    }
    return this;
  }

  /** How many times each record is in the files read so far. */
  synchronized Map<String, Integer> counts() {
    return Map.copyOf(counts);
  }

  /** How many distinct records the files read so far hold. */
  synchronized int distinct() {
    return counts.size();
  }

  /** The batch times that have a file among those read so far. */
  synchronized Set<Long> batchTimes() {
    return Set.copyOf(runs.keySet());
  }

  /**
   * The records of each batch time's files read so far, by run (0 the first run, k the {@code
   * .rerun-<k>} file), in the order of the runs.
   */
  synchronized Map<Long, List<List<String>>> runsByBatchTime() {
    Map<Long, List<List<String>>> copy = new HashMap<>();
    runs.forEach((time, byRun) -> copy.put(time, List.copyOf(byRun.values())));
    return copy;
  }

  /**
   * How many times each record is in the last run of each batch time: what a sink keyed by batch
   * time holds, where a re-run of a batch replaces what its earlier run wrote.
   */
  synchronized Map<String, Integer> countsOfLastRuns() {
    Map<String, Integer> last = new HashMap<>();
    runs.values()
        .forEach(
            byRun -> byRun.lastEntry().getValue().forEach(r -> last.merge(r, 1, Integer::sum)));
    return last;
  }

  /** Records (lines) in the files read so far, duplicates included. */
  synchronized long lines() {
    return lines;
  }

  /** Of {@link #lines()}, those in re-run batch files. */
  synchronized long rerunLines() {
    return rerunLines;
  }

  /** Batch files read so far. */
  synchronized int files() {
    return files;
  }

  /** Of {@link #files()}, the re-run batch files. */
  synchronized int rerunFiles() {
    return rerunFiles;
  }

  /**
   * Reads what is new and asserts that the files hold exactly {@code sent}, as a multiset: every
   * record as many times as it was sent, none missing, none more often, nothing else. So a lost
   * record and a duplicate of another cannot make up the right total.
   */
  void assertHoldsExactly(Collection<String> sent) throws IOException {
    scan();
    Map<String, Integer> expected = new HashMap<>();
    sent.forEach(record -> expected.merge(record, 1, Integer::sum));
    Map<String, Integer> actual = counts();
    List<String> missing = new ArrayList<>();
    List<String> surplus = new ArrayList<>();
    Set<String> all = new TreeSet<>(expected.keySet());
    all.addAll(actual.keySet());
    for (String record : all) {
      int difference = actual.getOrDefault(record, 0) - expected.getOrDefault(record, 0);
      for (int i = 0; i < Math.abs(difference); i++) {
        (difference < 0 ? missing : surplus).add(record);
      }
    }
    assertThat(missing.size())
        .as(
            "records sent but missing from the batch files in %s (%d sent, %d output),"
                + " such as %s",
            dir, sent.size(), lines(), missing.subList(0, Math.min(EXAMPLES, missing.size())))
        .isZero();
    assertThat(surplus.size())
        .as(
            "records in the batch files in %s beyond those sent (duplicates, or never sent),"
                + " such as %s",
            dir, surplus.subList(0, Math.min(EXAMPLES, surplus.size())))
        .isZero();
  }
}
