package io.sparking.kafka.internal;

import java.io.Serializable;

/**
 * Closes for good once a batch's output failed. Kafka offsets are positions, not sets: committing a
 * later batch would also commit the failed one, so after a failure nothing more is committed and a
 * restart reads from the failed batch on.
 *
 * <p>The flag is transient: a context recovered from a checkpoint starts with the gate open again,
 * since it replays from the last committed offsets.
 */
public final class CommitGate implements Serializable {
  private static final long serialVersionUID = 1L;

  private transient volatile boolean closed;

  /** Whether commits may still go out. */
  public boolean isOpen() {
    return !closed;
  }

  /** Closes the gate; returns true the first time. */
  public synchronized boolean close() {
    boolean wasOpen = !closed;
    closed = true;
    return wasOpen;
  }
}
