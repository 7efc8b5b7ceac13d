/**
 * The graceful stop every Sparking stream shares: {@link GracefulStop} ({@code
 * GracefulStop.stop(jssc)}) stops a streaming context only after processing everything its
 * receivers stored, and returns a {@link StopReport} of what it had to leave for a restart. A job
 * calls it in place of {@code jssc.stop(true, true)}, whichever connectors its streams come from;
 * the jobs of {@code sparking-jobs} stop this way.
 *
 * <p>{@link UnreadableBlockException} is what a batch fails with when one of its received blocks
 * was written by a release of Sparking that this one cannot read.
 */
package io.sparking.core;
