package io.sparking.flume;

import io.sparking.core.spi.InvalidSetting;
import io.sparking.core.spi.ReceiverStorage;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.storage.StorageLevel;

/**
 * How a push receiver listens for Flume's {@code avro} sink: storage level, compression and SSL
 * matching the sink's own options, and the limits that protect the receiver from a misbehaving
 * client. Built once, validated at {@link Builder#build()}.
 *
 * <pre>{@code
 * PushSettings settings = PushSettings.builder()
 *     .compression(PushSettings.Compression.DEFLATE)   // the sink has compression-type = deflate
 *     .maxFrameBytes(16 * 1024 * 1024)
 *     .build();
 * }</pre>
 *
 * <p>No setting is required; {@link #defaults()} matches a sink with its default options.
 */
public final class PushSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Default storage level without the write-ahead log: serialized, memory then disk, replicated
   * twice, as Spark's own receivers use.
   */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL = ReceiverStorage.DEFAULT_LEVEL;

  /**
   * Default storage level with the write-ahead log on: serialized, memory then disk, one copy. The
   * log already makes a block durable, so Spark keeps one copy whatever the level asks (and warns
   * about a second).
   */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG =
      ReceiverStorage.DEFAULT_LEVEL_WITH_WRITE_AHEAD_LOG;

  /** Default compression level for {@link Compression#DEFLATE}, the same as Flume's. */
  public static final int DEFAULT_COMPRESSION_LEVEL = 6;

  /**
   * Default largest request (one {@code appendBatch} call, all events with their headers and Avro
   * framing) the receiver accepts: 64 MiB. A connection that declares more is closed before
   * anything is allocated for it.
   */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

  /** Smallest accepted {@code maxFrameBytes}: 1 KiB. */
  public static final int MIN_MAX_FRAME_BYTES = 1024;

  /** Largest accepted {@code maxFrameBytes}: 1 GiB. */
  public static final int MAX_MAX_FRAME_BYTES = 1024 * 1024 * 1024;

  /** Default number of threads that answer calls (each blocks while its batch is stored). */
  public static final int DEFAULT_THREADS_PER_RECEIVER = 8;

  /** Default keystore type, as Flume's. */
  public static final String DEFAULT_KEYSTORE_TYPE = "JKS";

  /** The sink's {@code compression-type}. */
  public enum Compression {
    /** {@code compression-type = none}, the sink's default. */
    NONE,
    /**
     * {@code compression-type = deflate}: the zlib stream wraps the whole connection, SSL included.
     */
    DEFLATE
  }

  private final StorageLevel storageLevel;
  private final Compression compression;
  private final int compressionLevel;
  private final int maxFrameBytes;
  private final int threadsPerReceiver;
  private final String keystorePath;
  private final String keystorePassword;
  private final String keystoreType;

  private PushSettings(Builder b) {
    this.storageLevel =
        b.storageLevelChosen
            ? InvalidSetting.required(
                "storageLevel",
                b.storageLevel,
                "pass a Spark StorageLevel, or leave it unset for the default")
            : null;
    this.compression =
        InvalidSetting.required("compression", b.compression, "pass NONE or DEFLATE");
    this.compressionLevel =
        InvalidSetting.inRange("compressionLevel", b.compressionLevel, 0, 9, "");
    this.maxFrameBytes =
        InvalidSetting.inRange(
            "maxFrameBytes", b.maxFrameBytes, MIN_MAX_FRAME_BYTES, MAX_MAX_FRAME_BYTES, "bytes");
    this.threadsPerReceiver =
        InvalidSetting.inRange("threadsPerReceiver", b.threadsPerReceiver, 1, 256, "");
    this.keystoreType =
        InvalidSetting.required(
                "keystoreType", b.keystoreType, "pass a KeyStore type such as JKS or PKCS12")
            .toUpperCase(Locale.ROOT);
    this.keystorePath = b.keystorePath;
    this.keystorePassword = b.keystorePassword;
    if (keystorePath != null) {
      if (!Files.isReadable(Path.of(keystorePath))) {
        // Checked here so the job fails at once on the driver; executors read the same path when
        // they start.
        throw InvalidSetting.of(
            "keystore",
            keystorePath,
            "no readable file",
            "pass the path of the keystore with the"
                + " receiver's key, present on every executor host");
      }
      if (keystorePassword == null) {
        throw InvalidSetting.of(
            "keystorePassword",
            null,
            "missing",
            "the keystore " + keystorePath + " needs its password");
      }
    }
  }

  /** Settings with every default: no compression, no SSL. */
  public static PushSettings defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Where Spark keeps received blocks, if chosen; otherwise the stream picks {@link
   * #DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG} or {@link #DEFAULT_STORAGE_LEVEL} by whether
   * {@code spark.streaming.receiver.writeAheadLog.enable} is on.
   */
  public Optional<StorageLevel> storageLevel() {
    return Optional.ofNullable(storageLevel);
  }

  /** The compression the sink uses. */
  public Compression compression() {
    return compression;
  }

  /** The deflate level of responses, when {@link #compression()} is {@link Compression#DEFLATE}. */
  public int compressionLevel() {
    return compressionLevel;
  }

  /** The largest request the receiver accepts on a connection; larger ones close the connection. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** How many threads answer calls. */
  public int threadsPerReceiver() {
    return threadsPerReceiver;
  }

  /** Whether the receiver speaks SSL, that is whether a keystore was given. */
  public boolean sslEnabled() {
    return keystorePath != null;
  }

  /** The keystore path, or null without SSL. */
  public String keystorePath() {
    return keystorePath;
  }

  /** The keystore password, or null without SSL. */
  public String keystorePassword() {
    return keystorePassword;
  }

  /** The keystore type. */
  public String keystoreType() {
    return keystoreType;
  }

  @Override
  public String toString() {
    return "PushSettings{storageLevel="
        + (storageLevel == null ? "default" : storageLevel.description())
        + ", compression="
        + compression
        + ", compressionLevel="
        + compressionLevel
        + ", maxFrameBytes="
        + maxFrameBytes
        + ", threadsPerReceiver="
        + threadsPerReceiver
        + ", ssl="
        + (sslEnabled() ? keystorePath + " (" + keystoreType + ")" : "off")
        + "}";
  }

  /** Builds {@link PushSettings}; every setting is optional. */
  public static final class Builder {
    private StorageLevel storageLevel;
    private boolean storageLevelChosen;
    private Compression compression = Compression.NONE;
    private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int threadsPerReceiver = DEFAULT_THREADS_PER_RECEIVER;
    private String keystorePath;
    private String keystorePassword;
    private String keystoreType = DEFAULT_KEYSTORE_TYPE;

    private Builder() {}

    /**
     * Where Spark keeps received blocks, kept as given. Default: {@link
     * #DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG} when the write-ahead log is on, {@link
     * #DEFAULT_STORAGE_LEVEL} otherwise.
     */
    public Builder storageLevel(StorageLevel storageLevel) {
      this.storageLevel = storageLevel;
      this.storageLevelChosen = true;
      return this;
    }

    /** Must match the sink's {@code compression-type}; default {@link Compression#NONE}. */
    public Builder compression(Compression compression) {
      this.compression = compression;
      return this;
    }

    /**
     * Deflate level 0-9 of the receiver's responses; default {@value #DEFAULT_COMPRESSION_LEVEL}.
     */
    public Builder compressionLevel(int compressionLevel) {
      this.compressionLevel = compressionLevel;
      return this;
    }

    /** Largest accepted request in bytes, 1 KiB to 1 GiB; default 64 MiB. */
    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /** Threads answering calls, 1-256; default {@value #DEFAULT_THREADS_PER_RECEIVER}. */
    public Builder threadsPerReceiver(int threadsPerReceiver) {
      this.threadsPerReceiver = threadsPerReceiver;
      return this;
    }

    /**
     * Turns SSL on with the keystore holding the receiver's key, as the sink's {@code ssl = true};
     * the path must be readable on every host a receiver may run on.
     */
    public Builder ssl(String keystorePath, String keystorePassword) {
      this.keystorePath = Objects.requireNonNull(keystorePath, "keystorePath");
      this.keystorePassword = keystorePassword;
      return this;
    }

    /**
     * The keystore type, for example {@code JKS} or {@code PKCS12}; default {@value
     * #DEFAULT_KEYSTORE_TYPE}.
     */
    public Builder keystoreType(String keystoreType) {
      this.keystoreType = keystoreType;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException naming the first invalid setting, its value and what is
     *     valid
     */
    public PushSettings build() {
      return new PushSettings(this);
    }
  }
}
