package io.sparking.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Every measured path, in the order of the table: each reference before the paths compared to it.
 */
final class Paths {
  private Paths() {}

  static List<MeasuredPath> all() {
    List<MeasuredPath> all = new ArrayList<>(KafkaPaths.all());
    all.addAll(FlumePaths.all());
    return all;
  }

  /** The paths the latency section measures at a steady offered rate. */
  static List<MeasuredPath> latency() {
    List<MeasuredPath> latency = new ArrayList<>(KafkaPaths.latency());
    latency.addAll(FlumePaths.latency());
    return latency;
  }

  /** The paths the overload section measures: rate-limited jobs offered ten times their limit. */
  static List<MeasuredPath> overload() {
    return new ArrayList<>(KafkaPaths.overload());
  }

  /** The paths the scaling section measures over receivers or partitions. */
  static List<Sections.Scaling> scaling() {
    List<Sections.Scaling> scaling = new ArrayList<>(KafkaPaths.scaling());
    scaling.addAll(FlumePaths.scaling());
    return scaling;
  }

  static MeasuredPath byId(String id) {
    return all().stream()
        .filter(p -> p.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "No measured path '"
                        + id
                        + "'; known: "
                        + all().stream().map(MeasuredPath::id).toList()));
  }
}
