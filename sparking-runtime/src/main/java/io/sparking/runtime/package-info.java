/**
 * The test and demo runtime: real processes on loopback, each in a JVM of its own from classpaths
 * the build resolved, on free ports, stopped by its own handle. {@link KafkaBroker}, {@link
 * ZooKeeperServer}, {@link FlumeAgent}, {@link SparkStandaloneCluster} and {@link HadoopCluster}
 * start the servers; {@link LocalStreaming} gives a local streaming context; {@link FreePorts},
 * {@link TempDirs}, {@link SelfSignedKeyStores} and {@link JvmFlags} are what they share with the
 * tests.
 *
 * <p>Not part of the connectors a job depends on: no connector, compatibility class or job uses it.
 * The demo and the benchmark of {@code ./sparking} run on it, and so do the tests of every module,
 * and users' own tests may.
 */
package io.sparking.runtime;
