/**
 * The extension point for receivers built on Sparking: what a connector implements or extends so
 * that its receivers drain before a graceful stop, store their blocks packed, and report the same
 * metrics as every other Sparking receiver. Not an API for jobs to call: a job creates its streams
 * through a connector's entry class (such as {@code SparkingKafka} or {@code SparkingFlume}) and
 * stops them with {@link io.sparking.core.GracefulStop}.
 *
 * <ul>
 *   <li>{@link DrainableReceiver}: extend it in place of Spark's {@code Receiver}, implementing its
 *       start, drain and stop;
 *   <li>{@link DrainableReceiverStream}: create one per receiver; it names the stream in the Spark
 *       UI, connects the receiver to the driver's drain endpoint, and reads the packed blocks back
 *       as records;
 *   <li>{@link RecordFormat}: implement it (as an enum constant) for the receiver's record type, so
 *       that blocks are stored as a few {@link PackedRecords} rather than one object per record;
 *   <li>{@link ReceiverStorage}: the storage level of the receiver's blocks, chosen as every
 *       connector chooses it;
 *   <li>{@link ReceiverMetrics}: the metrics every receiver reports; extend it with the connector's
 *       own;
 *   <li>{@link InvalidSetting}: the one shape of an invalid-setting error, for the connector's
 *       settings classes;
 *   <li>{@link AfterGracefulStop}: work a stream leaves for the end of a graceful stop, such as a
 *       direct stream's commit of its last offsets.
 * </ul>
 *
 * <p>Sparking's own connectors build on it: {@code sparking-kafka}, {@code sparking-flume}, {@code
 * sparking-flume-sql} and {@code sparking-compat}.
 */
package io.sparking.core.spi;
