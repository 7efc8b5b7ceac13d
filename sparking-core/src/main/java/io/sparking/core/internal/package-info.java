/**
 * The drain channel between the driver and its receivers, behind {@link
 * io.sparking.core.GracefulStop}: the driver's {@link DrainCoordinator}, the address a receiver
 * carries to its executor ({@link DrainEndpoint}), the receiver's {@link DrainWatch}, and {@link
 * StreamingInternals}, the one place that reaches into Spark Streaming's scheduler. Not an API:
 * anything here may change in any release, and only {@code sparking-core} uses it.
 */
package io.sparking.core.internal;
