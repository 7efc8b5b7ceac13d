/**
 * The runnable jobs, on the connectors' public API: {@link Sparking} is the main class of the
 * application jar and names them (such as {@link KafkaSingleTopic}, {@link KafkaDirectTopic},
 * {@link KafkaExactlyOnce}, {@link FlumeSinglePushBased}, {@link FlumeSinglePullBased} and {@link
 * FlumeStructuredStreaming}), each a class of its own whose {@code main} runs it. All but the
 * Structured Streaming one run on {@link StreamingJob}, the one skeleton that parses the command
 * line, checks the sources, prints one line per batch ({@link BatchReporter}) and stops gracefully.
 *
 * <p>Run by {@code ./sparking <job>} and by {@code spark-submit} of the application jar; they are
 * also the examples of the connectors' API, and the tests' jobs on real clusters.
 */
package io.sparking.jobs;
