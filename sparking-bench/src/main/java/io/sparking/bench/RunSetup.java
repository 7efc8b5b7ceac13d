package io.sparking.bench;

/**
 * What the bench JVM set up for one run of a {@link MeasuredPath}: the source the receiving JVM
 * reads and, for sources that are fed while the clock runs, the feeder. Closing it stops whatever
 * it started (an agent, a feeder).
 */
public interface RunSetup extends AutoCloseable {
  /**
   * Where the receiving JVM's {@link MeasuredPath#receive} finds the run's records (topic and
   * group, port ...).
   */
  ReceiverRun.Source source();

  /**
   * Called once the receiving JVM reported ready and before the clock starts: sets up what has to
   * follow the receiver, such as an agent whose sink connects to it. Not timed.
   *
   * @param receiverPort the port the receiver reported listening on, or -1 when it reported none
   */
  default void receiverReady(int receiverPort) throws Exception {}

  /**
   * The feeder that sends the run's records while the clock runs, or null when the data is already
   * in place (then the clock starts at the receiver's own start mark).
   */
  default Feeder feeder() {
    return null;
  }

  @Override
  default void close() throws Exception {}

  /** Sends a run's records into the source; {@link #close()} asks it to stop early. */
  interface Feeder extends AutoCloseable {
    /** Sends every record, returning when all were accepted or when closed. */
    void feed() throws Exception;

    /** Asks a running {@link #feed()} to return soon. */
    @Override
    void close();
  }

  /** A setup with nothing to start or stop. */
  static RunSetup of(ReceiverRun.Source source) {
    return () -> source;
  }
}
