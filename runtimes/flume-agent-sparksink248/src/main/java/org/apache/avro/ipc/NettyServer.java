package org.apache.avro.ipc;

import java.net.InetSocketAddress;

/**
 * Lets Spark 2.4.8's SparkSink run on the Avro 1.11 that Flume 1.11 ships.
 *
 * <p>The old sink was compiled against Avro 1.8, where the Netty server was {@code
 * org.apache.avro.ipc.NettyServer}; Avro 1.9 moved it to {@code
 * org.apache.avro.ipc.netty.NettyServer} in the avro-ipc-netty module. The sink calls the {@code
 * (Responder, InetSocketAddress)} constructor and {@code start}, {@code close}, {@code join} and
 * {@code getPort}, all of which the moved class still has, so a subclass under the old name is all
 * it needs.
 */
public class NettyServer extends org.apache.avro.ipc.netty.NettyServer {

  /**
   * Binds a server for {@code responder} on {@code address}.
   *
   * @throws InterruptedException if interrupted while binding
   */
  public NettyServer(Responder responder, InetSocketAddress address) throws InterruptedException {
    super(responder, address);
  }
}
