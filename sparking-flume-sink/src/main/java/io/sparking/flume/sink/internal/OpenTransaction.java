package io.sparking.flume.sink.internal;

import io.sparking.flume.protocol.EventBatch;
import java.util.concurrent.CompletableFuture;

/**
 * One channel transaction as the RPC side sees it. The worker thread that owns the Flume
 * transaction and the RPC threads meet only through these futures, so the transaction itself never
 * leaves its thread.
 */
final class OpenTransaction {
  /**
   * How a handed-out batch ended. The first completion of {@link #outcome} wins; later ones are
   * ignored.
   */
  enum Outcome {
    ACK,
    NACK,
    TIMED_OUT,
    STOPPED
  }

  final String sequenceNumber;
  final long number;
  final int size;

  /** The batch for the requester, or an error batch if the requester gave up first. */
  final CompletableFuture<EventBatch> batch = new CompletableFuture<>();

  /** ACK, NACK, TIMED_OUT or STOPPED: exactly one, which decides commit or rollback. */
  final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

  /** Done once the transaction is committed or rolled back; exceptional if that failed. */
  final CompletableFuture<Outcome> finished = new CompletableFuture<>();

  OpenTransaction(String sequenceNumber, long number, int size) {
    this.sequenceNumber = sequenceNumber;
    this.number = number;
    this.size = size;
  }
}
