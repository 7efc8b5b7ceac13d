package io.sparking.jobs;

import org.apache.spark.streaming.scheduler.BatchInfo;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;

/**
 * Prints each batch's line once Spark reports the batch completed, with its processing delay (first
 * job start to last job end) and scheduling delay (batch submitted to first job start), from
 * Spark's {@link BatchInfo}.
 */
final class BatchDelayListener implements StreamingListener {
  private final String job;

  BatchDelayListener(String job) {
    this.job = job;
  }

  @Override
  public void onBatchCompleted(StreamingListenerBatchCompleted completed) {
    BatchInfo info = completed.batchInfo();
    BatchReporter.printCompleted(
        job,
        info.batchTime().milliseconds(),
        millis(info.processingDelay()),
        millis(info.schedulingDelay()));
  }

  private static long millis(scala.Option<Object> delay) {
    return delay.isDefined() ? (Long) delay.get() : -1;
  }
}
