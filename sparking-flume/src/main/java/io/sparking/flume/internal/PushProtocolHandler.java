package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.StoreFullException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flume.source.avro.AvroFlumeEvent;
import org.apache.flume.source.avro.AvroSourceProtocol;
import org.apache.flume.source.avro.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code AvroSourceProtocol} side of the push receiver: answers {@link Status#OK} only after
 * the whole batch was stored, and {@link Status#FAILED} otherwise, so Flume's avro sink rolls back
 * its transaction and sends again.
 */
final class PushProtocolHandler implements AvroSourceProtocol {
  private static final Logger LOG = LoggerFactory.getLogger(PushProtocolHandler.class);

  private volatile String endpoint;
  private final EventBatchStore store;
  private final AtomicLong acknowledgedEvents = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();

  PushProtocolHandler(String endpoint, EventBatchStore store) {
    this.endpoint = endpoint;
    this.store = store;
  }

  @Override
  public Status append(AvroFlumeEvent event) {
    return appendBatch(List.of(event));
  }

  @Override
  public Status appendBatch(List<AvroFlumeEvent> avroEvents) {
    List<FlumeEvent> events = new ArrayList<>(avroEvents.size());
    for (AvroFlumeEvent e : avroEvents) {
      events.add(FlumeEvents.fromAvro(e.getHeaders(), e.getBody()));
    }
    try {
      store.store(events);
    } catch (Exception e) {
      // Spark's store throws its checked SparkException when the write-ahead log fails; answer
      // FAILED for it too.
      long failed = failedBatches.incrementAndGet();
      if (StoreFullException.isCause(e)) {
        LOG.debug("Batch of {} events on {} refused: {}", events.size(), endpoint, e.toString());
        return Status.FAILED;
      }
      LOG.warn(
          "Could not store a batch of {} Flume events received on {}; answering FAILED so the sink sends it"
              + " again ({} failed batches so far): {}",
          events.size(),
          endpoint,
          failed,
          e.toString());
      return Status.FAILED;
    }
    acknowledgedEvents.addAndGet(events.size());
    return Status.OK;
  }

  /**
   * Names the endpoint in log lines once the port is known (it may have been 0 when the handler was
   * built).
   */
  void endpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  long acknowledgedEvents() {
    return acknowledgedEvents.get();
  }

  long failedBatches() {
    return failedBatches.get();
  }
}
