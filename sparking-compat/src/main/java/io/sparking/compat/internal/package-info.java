/**
 * The checks of the arguments Spark 2.4's utilities took, shared by the Flume and Kafka
 * compatibility APIs: {@link LegacyArguments}. Not an API: anything here may change in any release,
 * and only {@code sparking-compat} uses it.
 */
package io.sparking.compat.internal;
