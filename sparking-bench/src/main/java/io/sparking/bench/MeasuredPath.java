package io.sparking.bench;

import java.util.List;

/**
 * One way of moving records that the benchmark measures: how the report names it, and its two
 * {@link Halves}: {@link #prepare} runs in the bench JVM and sets up the sources around one run (a
 * topic to read, an agent to feed); {@link #receive} runs in a fresh receiving JVM of its own and
 * counts records through {@link Progress} until the run's target is reached: each record's id
 * through {@link Progress#received}, and its progress through {@link Progress#report}, the same way
 * on every path.
 *
 * <p>The {@link Runner} drives both halves the same way for every path, so paths differ only in
 * what they set up and how they receive.
 */
public record MeasuredPath(
    String group, String id, String label, String referenceId, List<Goal> goals, Halves halves) {
  /**
   * Describes a path.
   *
   * @param group the group of paths it belongs to ({@code kafka}, {@code flume} ...), as {@code
   *     --only} selects them
   * @param id a short stable id, used on the command line of the receiving JVM and in file names
   * @param label what the table calls this path
   * @param referenceId the id of the path this one is compared to, or null when it is a reference
   *     or shown for information only
   * @param goals what the project aims for against {@code referenceId}, each judged on its own;
   *     empty when there is none
   * @param halves what it does in the bench JVM and in the receiving JVM
   */
  public MeasuredPath {
    java.util.Objects.requireNonNull(group, "group");
    java.util.Objects.requireNonNull(id, "id");
    java.util.Objects.requireNonNull(label, "label");
    java.util.Objects.requireNonNull(halves, "halves");
    goals = List.copyOf(goals);
    if (referenceId == null && !goals.isEmpty()) {
      throw new IllegalArgumentException(
          id + " has goals " + goals + " but no reference: pass the path they compare to");
    }
  }

  /** A path with a reference it is shown against, and no goal. */
  public MeasuredPath(String group, String id, String label, String referenceId, Halves halves) {
    this(group, id, label, referenceId, List.of(), halves);
  }

  /** What a path does around one run, in each JVM. */
  public interface Halves {
    /**
     * Bench JVM: sets up one run (runs {@code 0..runs-1}) and says where the receiving JVM finds
     * its records.
     *
     * @param pathId the path's id, for fresh consumer groups and such
     * @param env shared sources (the broker and its data), started on first use
     * @param config the benchmark's sizes
     * @param run the run's index
     */
    RunSetup prepare(String pathId, BenchEnvironment env, BenchConfig config, int run)
        throws Exception;

    /**
     * Receiving JVM: receives the run's records, reporting them to {@link Progress}, until {@link
     * Progress#isDone()}: every record's id to {@link Progress#received} where the path counts it,
     * then each unit of records it handled (a batch, a poll) to {@link Progress#report}. Calls
     * {@link Progress#ready()} once it can receive (before it starts consuming, for sources that
     * already hold their data).
     *
     * @param run the run: its target, the streaming job's settings, and the source {@link
     *     RunSetup#source()} gave
     */
    void receive(ReceiverRun run) throws Exception;
  }

  /** Bench JVM: sets up one run; see {@link Halves#prepare}. */
  public RunSetup prepare(BenchEnvironment env, BenchConfig config, int run) throws Exception {
    return halves.prepare(id, env, config, run);
  }

  /** Receiving JVM: receives one run; see {@link Halves#receive}. */
  public void receive(ReceiverRun run) throws Exception {
    halves.receive(run);
  }

  @Override
  public String toString() {
    return id;
  }
}
