/**
 * Hadoop's own test clusters for the test runtime: {@link MiniHadoop} is the main class that runs
 * an HDFS (and, when asked, YARN) mini cluster on loopback in a JVM of its own, started and
 * commanded by {@code io.sparking.runtime.HadoopCluster}. Built for each Spark line at the Hadoop
 * version that line's Spark is built on. Part of the test runtime, not of the connectors a job
 * depends on.
 */
package io.sparking.runtime.hadoop;
