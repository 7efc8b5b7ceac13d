/**
 * The server behind {@link io.sparking.flume.sink.SparkingSink}: {@link BatchServer} serves the
 * pull protocol out of channel transactions, each owned by one worker thread, and remembers how the
 * recent ones ended. Not an API: anything here may change in any release, and only {@code
 * sparking-flume-sink} uses it.
 */
package io.sparking.flume.sink.internal;
