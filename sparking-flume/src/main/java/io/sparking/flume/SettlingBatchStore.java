package io.sparking.flume;

import io.sparking.flume.protocol.Settlement;
import java.util.List;

/**
 * Where {@link FlumeConnections#pull(List, PullSettings, SettlingBatchStore)} puts each batch, for
 * a consumer that keeps batches itself and must know which of them the agent delivers again: each
 * batch comes with the sink's transaction it was taken in, and the store then hears how that
 * transaction ended. A consumer that restarted asks the sink about the batches it kept but never
 * heard settled ({@link io.sparking.flume.protocol.PullClient#settle}).
 */
public interface SettlingBatchStore {
  /**
   * Makes {@code events}, taken from {@code agent} ({@code host:port}) in its open transaction
   * {@code transaction}, durable as one unit; called from several threads at once. Nothing is
   * acknowledged before it returns.
   *
   * @throws Exception when the batch is not stored; it is then nacked and delivered again
   */
  void store(String agent, String transaction, List<FlumeEvent> events) throws Exception;

  /**
   * How the transaction of a batch stored here ended: {@link Settlement#COMMITTED} (the events left
   * the channel), {@link Settlement#ROLLED_BACK} (the sink's timeout passed before the ack: the
   * events are delivered again, so the stored copy is one too many), or {@link Settlement#UNKNOWN}
   * (Spark 2.4.8's sink, which does not say, or an answer lost with its connection). Called once
   * for each stored batch, on any thread, soon after the store returned.
   */
  void settled(String agent, String transaction, Settlement settlement);
}
