package io.sparking.core;

/**
 * A received block (from the block manager or the write-ahead log) that this release cannot read:
 * another release of Sparking, or of the classes its records are made of, wrote it in a form this
 * one does not know. Thrown by the task that reads the block, so the batch fails rather than run
 * without the block's records; the message says what to do, in one line.
 */
public final class UnreadableBlockException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * The block {@code blockId} of stream {@code stream} could not be read; {@code cause} says why.
   */
  public UnreadableBlockException(String stream, String blockId, Throwable cause) {
    super(
        "cannot read block "
            + blockId
            + " of "
            + stream
            + " (another release wrote it: "
            + cause
            + "); to keep its records, run the release that wrote this checkpoint until a graceful"
            + " stop, which processes every stored block, then start this release on a new"
            + " checkpoint directory; starting on a new checkpoint directory now gives those"
            + " records up (Kafka receivers resume at the group's committed offsets, Flume"
            + " receivers at what the agents still hold)",
        cause);
  }

  /**
   * Whether {@code error} says that serialized data names a class this release does not have or has
   * in an incompatible form.
   */
  public static boolean isIncompatibleForm(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.io.InvalidClassException
          || t instanceof java.io.InvalidObjectException
          || t instanceof ClassNotFoundException
          || t instanceof NoClassDefFoundError) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
