package io.sparking.flume.sql.internal;

import io.sparking.flume.StoreFullException;

/**
 * The source's log refused a batch because it holds its {@code maxLogSize} already: the query is
 * behind. Nothing is wrong with the log; the batch is nacked (or answered FAILED) and stays in
 * Flume.
 */
final class LogFullException extends StoreFullException {
  private static final long serialVersionUID = 1L;

  LogFullException(String message) {
    super(message);
  }
}
