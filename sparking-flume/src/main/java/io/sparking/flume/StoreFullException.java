package io.sparking.flume;

import java.io.IOException;

/**
 * Thrown by a store that cannot take a batch now because it holds as much as it may (a consumer
 * that is behind): not a failure. The connections give the batch back to Flume (nack, or FAILED to
 * the avro sink), which keeps it in its channel, and log it only at debug level.
 */
public class StoreFullException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A refusal that says why, with the sizes involved. */
  public StoreFullException(String message) {
    super(message);
  }

  /** Whether {@code error} or one of its causes is a {@link StoreFullException}. */
  public static boolean isCause(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof StoreFullException) {
        return true;
      }
    }
    return false;
  }
}
