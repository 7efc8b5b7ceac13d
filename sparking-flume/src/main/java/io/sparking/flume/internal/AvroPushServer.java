package io.sparking.flume.internal;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.compression.JZlibDecoder;
import io.netty.handler.codec.compression.JZlibEncoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.sparking.flume.PushSettings;
import io.sparking.flume.protocol.FrameGuard;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.avro.ipc.netty.NettyServer;
import org.apache.avro.ipc.specific.SpecificResponder;
import org.apache.flume.source.avro.AvroSourceProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Avro RPC server speaking Flume's {@code AvroSourceProtocol}, the endpoint Flume's {@code avro}
 * sink and {@code RpcClient} send to. Each batch goes to an {@link EventBatchStore}; the answer
 * waits for it.
 *
 * <p>Owns its three thread pools (accepting, socket I/O, and the handlers that block in {@code
 * store}) and stops them all in {@link #close()}, within {@link #STOP_TIMEOUT}.
 */
public final class AvroPushServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AvroPushServer.class);

  /**
   * Longest {@link #close()} waits for each pool; a handler still blocked in a store after that is
   * abandoned.
   */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final String endpoint;
  private final NettyServer server;
  private final PushProtocolHandler handler;
  private final List<EventLoopGroup> groups;

  private AvroPushServer(
      String endpoint,
      NettyServer server,
      PushProtocolHandler handler,
      List<EventLoopGroup> groups) {
    this.endpoint = endpoint;
    this.server = server;
    this.handler = handler;
    this.groups = groups;
  }

  /**
   * Listens on {@code host:port} (port 0 for any free port) and serves until closed.
   *
   * @throws IllegalStateException naming {@code host:port} when it cannot listen there, for example
   *     when the port is taken
   */
  public static AvroPushServer start(
      String host, int port, PushSettings settings, EventBatchStore store) {
    return start(host, port, settings, store, (message, cause) -> {});
  }

  /**
   * Like {@link #start(String, int, PushSettings, EventBatchStore)}; {@code connectionErrors} also
   * hears, besides the log, why (a message and the cause) a connection was closed on a failed SSL
   * handshake (a sink without SSL, or one that does not trust the receiver's certificate), so a
   * receiver can report it to the driver.
   */
  public static AvroPushServer start(
      String host,
      int port,
      PushSettings settings,
      EventBatchStore store,
      BiConsumer<String, Throwable> connectionErrors) {
    String endpoint = host + ":" + port;
    SSLContext ssl = settings.sslEnabled() ? sslContext(settings) : null;
    String threads = "flume-push-" + (port == 0 ? "any-port" : Integer.toString(port));
    EventLoopGroup boss =
        new NioEventLoopGroup(1, new DefaultThreadFactory(threads + "-accept", true));
    EventLoopGroup io = new NioEventLoopGroup(2, new DefaultThreadFactory(threads + "-io", true));
    EventLoopGroup handlers =
        new DefaultEventLoopGroup(
            settings.threadsPerReceiver(), new DefaultThreadFactory(threads + "-handler", true));
    List<EventLoopGroup> groups = List.of(boss, io, handlers);
    PushProtocolHandler handler = new PushProtocolHandler(endpoint, store);
    try {
      NettyServer server =
          new NettyServer(
              new SpecificResponder(AvroSourceProtocol.class, handler),
              new InetSocketAddress(host, port),
              pipeline(settings, ssl, connectionErrors),
              bootstrap -> {},
              boss,
              io,
              handlers);
      server.start();
      String bound = host + ":" + server.getPort();
      handler.endpoint(bound);
      LOG.info("Listening for Flume's avro sink on {} ({})", bound, settings);
      return new AvroPushServer(bound, server, handler, groups);
    } catch (Exception e) {
      shutdown(groups, endpoint);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (e instanceof BindException) {
        throw new IllegalStateException(
            "Cannot listen for Flume's avro sink on "
                + endpoint
                + ": "
                + e.getMessage()
                + ". Another process holds the port: stop it, or give the receiver and the sink's 'port' another one",
            e);
      }
      throw new IllegalStateException(
          "Cannot listen for Flume's avro sink on " + endpoint + ": " + e, e);
    }
  }

  /** The port the server listens on (the chosen one when started with port 0). */
  public int port() {
    return server.getPort();
  }

  /** Events acknowledged with OK so far. */
  public long acknowledgedEvents() {
    return handler.acknowledgedEvents();
  }

  /** Batches answered with FAILED so far. */
  public long failedBatches() {
    return handler.failedBatches();
  }

  /** Connections open right now. */
  public int openConnections() {
    return server.getNumActiveConnections();
  }

  /**
   * Stops accepting, closes every connection and stops the server's threads, waiting at most about
   * 3 × {@link #STOP_TIMEOUT}.
   */
  @Override
  public void close() {
    // Stopping the pools ourselves with no quiet period first: NettyServer.close() alone waits
    // Netty's default
    // two-second quiet period per pool, and it never stops the handler pool.
    shutdown(groups, endpoint);
    server.close();
    LOG.info(
        "Stopped listening for Flume on {} ({} events acknowledged, {} batches failed)",
        endpoint,
        handler.acknowledgedEvents(),
        handler.failedBatches());
  }

  private static void shutdown(List<EventLoopGroup> groups, String endpoint) {
    for (EventLoopGroup group : groups) {
      Future<?> done = group.shutdownGracefully(0, STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!done.awaitUninterruptibly(STOP_TIMEOUT.toMillis() + 1000)) {
        LOG.warn(
            "Threads of the Flume push server on {} did not stop within {}",
            endpoint,
            STOP_TIMEOUT);
      }
    }
  }

  private static Consumer<SocketChannel> pipeline(
      PushSettings settings, SSLContext ssl, BiConsumer<String, Throwable> connectionErrors) {
    String limit =
        "maxFrameBytes is "
            + settings.maxFrameBytes()
            + ": if a Flume avro sink sent it, lower the sink's"
            + " batch-size or raise maxFrameBytes in PushSettings";
    return channel -> {
      ChannelPipeline pipeline = channel.pipeline();
      // Same order as Flume's client: zlib outermost, TLS inside it, Avro framing innermost.
      if (settings.compression() == PushSettings.Compression.DEFLATE) {
        pipeline.addLast("inflater", new JZlibDecoder(settings.maxFrameBytes()));
        pipeline.addLast("deflater", new JZlibEncoder(settings.compressionLevel()));
      }
      if (ssl != null) {
        SSLEngine engine = ssl.createSSLEngine();
        engine.setUseClientMode(false);
        pipeline.addLast("ssl", new SslHandler(engine));
        pipeline.addLast("sslFailures", new SslFailureReporter(connectionErrors));
      }
      pipeline.addLast(
          "frameGuard",
          new FrameGuard(
              settings.maxFrameBytes(),
              "the Flume push receiver on port " + channel.localAddress().getPort(),
              limit));
    };
  }

  private static SSLContext sslContext(PushSettings settings) {
    Path path = Path.of(settings.keystorePath());
    char[] password = settings.keystorePassword().toCharArray();
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore keyStore = KeyStore.getInstance(settings.keystoreType());
      keyStore.load(in, password);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "Cannot read the "
              + settings.keystoreType()
              + " keystore "
              + path
              + " for the Flume push receiver: "
              + e.getMessage()
              + ". Check the path, the password and keystoreType",
          e);
    }
  }
}
