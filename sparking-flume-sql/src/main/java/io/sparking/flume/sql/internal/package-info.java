/**
 * The Flume Structured Streaming source behind {@link io.sparking.flume.sql.FlumeDataSource}: its
 * options, its log under the checkpoint, and the readers of its segments. Not an API: anything here
 * may change in any release.
 */
package io.sparking.flume.sql.internal;
