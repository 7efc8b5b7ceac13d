/**
 * The Flume source of Structured Streaming, {@code spark.readStream().format("flume")}: {@link
 * FlumeDataSource}, found by that name through Spark's {@code DataSourceRegister}. It pulls from
 * agents running Sparking's sink or listens for Flume's avro sink, writes every Flume batch into a
 * log under the query's checkpoint location before Flume hears it acknowledged, and replays
 * micro-batches from that log after a restart. A query names only the format and its options; the
 * source itself lives in {@code io.sparking.flume.sql.internal}.
 */
package io.sparking.flume.sql;
