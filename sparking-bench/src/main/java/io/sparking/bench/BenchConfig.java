package io.sparking.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The sizes of one benchmark: how many records of how many bytes, how many runs per path, which
 * groups of paths, and where the report goes. Validated at construction.
 *
 * @param records records per run
 * @param size bytes of each record's value (or Flume event body), at least the id's {@link
 *     BenchData#ID_DIGITS} digits
 * @param runs runs per path; the table shows their median
 * @param groups what to run: groups ({@code kafka}, {@code flume}) or single paths by id
 * @param batchInterval the Spark paths' batch (or trigger) interval
 * @param resultsDir where the markdown table and the chart are written
 * @param sections which parts of the report to measure: {@code throughput}, {@code latency}, {@code
 *     overload}, {@code scaling}
 * @param sizes the sizes of the latency, overload and scaling sections
 * @param variant how the runs made with this config deviate from the plain throughput run
 */
public record BenchConfig(
    long records,
    int size,
    int runs,
    Set<String> groups,
    Duration batchInterval,
    Path resultsDir,
    Set<String> sections,
    Sections.Sizes sizes,
    Variant variant) {
  /** The groups of paths. */
  public static final Set<String> GROUPS = Set.of("kafka", "flume");

  /** The sections of the report, each measured unless left out. */
  public static final Set<String> SECTIONS = Set.of("throughput", "latency", "overload", "scaling");

  /** Every section with its default sizes. */
  public BenchConfig(
      long records,
      int size,
      int runs,
      Set<String> groups,
      Duration batchInterval,
      Path resultsDir) {
    this(
        records,
        size,
        runs,
        groups,
        batchInterval,
        resultsDir,
        SECTIONS,
        Sections.Sizes.DEFAULT,
        Variant.THROUGHPUT);
  }

  /** The same benchmark for runs of {@code variant} with a target of {@code runRecords}. */
  BenchConfig with(Variant runVariant, long runRecords) {
    return new BenchConfig(
        runRecords, size, runs, groups, batchInterval, resultsDir, sections, sizes, runVariant);
  }

  /** Whether {@code path} is selected, by its group or its id. */
  public boolean selects(MeasuredPath path) {
    return groups.contains(path.group()) || groups.contains(path.id());
  }

  /** Validates the settings. */
  public BenchConfig {
    if (records < 1 || records > 100_000_000) {
      throw new IllegalArgumentException(
          "records=" + records + " is out of range: pass 1 to 100000000");
    }
    if (size < BenchData.ID_DIGITS || size > 1_000_000) {
      throw new IllegalArgumentException(
          "size="
              + size
              + " is out of range: every payload starts with its "
              + BenchData.ID_DIGITS
              + "-digit id, which the receiving side checks: pass "
              + BenchData.ID_DIGITS
              + " to 1000000 bytes");
    }
    if (runs < 1 || runs > 100) {
      throw new IllegalArgumentException("runs=" + runs + " is out of range: pass 1 to 100");
    }
    java.util.List<String> ids = Paths.all().stream().map(MeasuredPath::id).toList();
    // Groups outside the default ones (such as flume-split) run only when named.
    java.util.Set<String> extraGroups = new java.util.TreeSet<>();
    Paths.all().forEach(p -> extraGroups.add(p.group()));
    extraGroups.removeAll(GROUPS);
    for (String g : groups) {
      if (!GROUPS.contains(g) && !extraGroups.contains(g) && !ids.contains(g)) {
        throw new IllegalArgumentException(
            "only="
                + g
                + " is invalid: pass kafka, flume, "
                + String.join(", ", extraGroups)
                + " or a path id, one of "
                + ids);
      }
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("groups is empty: pass kafka, flume or a path id");
    }
    groups = Set.copyOf(groups);
    for (String section : sections) {
      if (!SECTIONS.contains(section)) {
        throw new IllegalArgumentException(
            "sections=" + section + " is invalid: pass some of " + SECTIONS);
      }
    }
    if (sections.isEmpty()) {
      throw new IllegalArgumentException("sections is empty: pass some of " + SECTIONS);
    }
    sections = Set.copyOf(sections);
    if (sections.contains("latency") && size < BenchData.TIMED_MIN_SIZE) {
      throw new IllegalArgumentException(
          "size="
              + size
              + " is too small for the latency section, whose payloads"
              + " carry their creation time: pass --size "
              + BenchData.TIMED_MIN_SIZE
              + " or more, or leave latency out");
    }
    java.util.Objects.requireNonNull(sizes, "sizes");
    java.util.Objects.requireNonNull(variant, "variant");
  }

  /** Whether the section {@code name} is measured. */
  boolean measures(String name) {
    return sections.contains(name);
  }

  /**
   * The longest one run may take before it counts as failed: generous (10k records/s plus two
   * minutes for JVM and Spark start-up), so only a stuck path hits it.
   */
  public Duration runTimeout() {
    long paced = variant.paced() ? (long) (records / variant.offeredRate()) : 0;
    return Duration.ofSeconds(120 + records / 10_000 + paced);
  }
}
