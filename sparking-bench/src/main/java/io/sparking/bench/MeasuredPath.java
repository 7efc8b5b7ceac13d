package io.sparking.bench;

import java.util.Map;

/**
 * One way of moving records that the benchmark measures, in two halves: {@link #prepare} runs in the bench JVM and
 * sets up the sources around one run (a topic to read, an agent to feed); {@link #receive} runs in a fresh receiving
 * JVM of its own and counts records through {@link Progress} until the run's target is reached.
 *
 * <p>The {@link Runner} drives both halves the same way for every path, so paths differ only in what they set up and
 * how they receive.
 */
public interface MeasuredPath {
  /** A short stable id, used on the command line of the receiving JVM and in file names. */
  String id();

  /** What the table calls this path. */
  String label();

  /** The group of paths it belongs to ({@code kafka} or {@code flume}), as {@code --only} selects them. */
  String group();

  /** The id of the path this one is compared to, or null when it is a reference or shown for information only. */
  default String referenceId() {
    return null;
  }

  /** The ratio to {@link #referenceId()} the project aims for; 0 when there is none. */
  default double goal() {
    return 0;
  }

  /**
   * Bench JVM: sets up one run (runs {@code 0..runs-1}) and says what the receiving JVM needs.
   *
   * @param env shared sources (the broker and its data), started on first use
   * @param config the benchmark's sizes
   * @param run the run's index, for fresh consumer groups and such
   */
  RunSetup prepare(BenchEnvironment env, BenchConfig config, int run) throws Exception;

  /**
   * Receiving JVM: receives the run's records, reporting them to {@link Progress}, until {@link Progress#isDone()}.
   * Calls {@link Progress#ready()} once it can receive (before it starts consuming, for sources that already hold
   * their data).
   *
   * @param args what {@link RunSetup#receiverArgs()} gave, plus {@code records} and {@code size}
   */
  void receive(Map<String, String> args) throws Exception;
}
