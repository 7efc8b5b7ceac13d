/**
 * The receivers behind {@link io.sparking.flume.SparkingFlume}: the Avro push server and its frame
 * guard, the pull connections and their workers. Not an API: anything here may change in any
 * release.
 */
package io.sparking.flume.internal;
