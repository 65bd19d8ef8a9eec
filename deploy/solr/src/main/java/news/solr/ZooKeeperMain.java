package news.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.zookeeper.server.ServerConfig;
import org.apache.zookeeper.server.ZooKeeperServerMain;

/**
 * A standalone ZooKeeper server on 127.0.0.1, in the foreground, for a local SolrCloud.
 *
 * <p>{@code ZooKeeperMain --port PORT --data-dir DIR} writes DIR/zoo.cfg and serves until SIGTERM or
 * SIGKILL. The admin HTTP server is off (it would take port 8080); the four-letter words that
 * Solr's admin UI reads (mntr, conf, ruok) are allowed.
 */
public final class ZooKeeperMain {
  private ZooKeeperMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Args.parse(args, "--port", "--data-dir");
    int port = Integer.parseInt(options.get("--port"));
    Path dataDir = Path.of(options.get("--data-dir")).toAbsolutePath();
    Files.createDirectories(dataDir.resolve("data"));
    Path config = dataDir.resolve("zoo.cfg");
    Files.writeString(
        config,
        String.join(
            "\n",
            "# Written by news.solr.ZooKeeperMain at each start",
            "tickTime=2000",
            "initLimit=10",
            "syncLimit=5",
            "dataDir=" + dataDir.resolve("data"),
            "clientPort=" + port,
            "clientPortAddress=127.0.0.1",
            "maxClientCnxns=0",
            "admin.enableServer=false",
            "4lw.commands.whitelist=mntr,conf,ruok",
            "autopurge.snapRetainCount=3",
            "autopurge.purgeInterval=1",
            ""));
    System.setProperty("zookeeper.admin.enableServer", "false");
    ServerConfig serverConfig = new ServerConfig();
    serverConfig.parse(config.toString());
    ZooKeeperServerMain server = new ZooKeeperServerMain();
    // SIGTERM runs the JVM's shutdown hooks; ZooKeeper's own main would System.exit without closing.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("news.solr.ZooKeeperMain: stopping on signal");
      server.close();
    }, "zk-shutdown"));
    System.err.println("news.solr.ZooKeeperMain: serving 127.0.0.1:" + port + " from " + dataDir);
    server.runFromConfig(serverConfig); // returns when the server stops
  }
}
