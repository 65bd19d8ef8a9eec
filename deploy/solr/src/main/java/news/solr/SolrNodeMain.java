package news.solr;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * One SolrCloud node: Solr's embedded Jetty ({@link JettySolrRunner}) on 127.0.0.1, in the foreground.
 *
 * <p>{@code SolrNodeMain --home DIR --port PORT --zk HOST:PORT [--context /solr]} writes DIR/solr.xml
 * (when absent), joins the ZooKeeper at --zk and serves until SIGTERM (the node leaves
 * /live_nodes and closes its cores) or SIGKILL. Its cores live under DIR.
 */
public final class SolrNodeMain {
  private SolrNodeMain() {}

  static final String SOLR_XML =
      String.join(
          "\n",
          "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>",
          "<!-- Written by news.solr.SolrNodeMain; the values come from the node's properties. -->",
          "<solr>",
          "  <int name=\"maxBooleanClauses\">${solr.max.booleanClauses:1024}</int>",
          "  <str name=\"sharedLib\">${solr.sharedLib:}</str>",
          "  <str name=\"allowPaths\">${solr.allowPaths:}</str>",
          "  <solrcloud>",
          "    <str name=\"host\">127.0.0.1</str>",
          "    <int name=\"hostPort\">${hostPort:8983}</int>",
          "    <str name=\"hostContext\">${hostContext:solr}</str>",
          "    <bool name=\"genericCoreNodeNames\">true</bool>",
          "    <str name=\"zkHost\">${zkHost:}</str>",
          "    <int name=\"zkClientTimeout\">${zkClientTimeout:30000}</int>",
          "    <int name=\"distribUpdateSoTimeout\">${distribUpdateSoTimeout:600000}</int>",
          "    <int name=\"distribUpdateConnTimeout\">${distribUpdateConnTimeout:60000}</int>",
          "  </solrcloud>",
          "  <shardHandlerFactory name=\"shardHandlerFactory\" class=\"HttpShardHandlerFactory\">",
          "    <int name=\"socketTimeout\">${socketTimeout:600000}</int>",
          "    <int name=\"connTimeout\">${connTimeout:60000}</int>",
          "  </shardHandlerFactory>",
          "</solr>",
          "");

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Args.parse(args, "--home", "--port", "--zk");
    Path home = Path.of(options.get("--home")).toAbsolutePath();
    int port = Integer.parseInt(options.get("--port"));
    String zkHost = options.get("--zk");
    String context = options.getOrDefault("--context", "/solr");
    Files.createDirectories(home);
    // JettySolrRunner's own retry on a busy port ends in an unhelpful "STOPPED": say it plainly.
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      System.err.println(
          "news.solr.SolrNodeMain: FAILED to start Solr on 127.0.0.1:" + port + ": port in use (" + e + ")");
      System.exit(1);
    }
    Path solrXml = home.resolve("solr.xml");
    if (!Files.exists(solrXml)) {
      Files.writeString(solrXml, SOLR_XML);
    }
    System.setProperty("solr.solr.home", home.toString());
    System.setProperty("zkHost", zkHost);
    System.setProperty("host", "127.0.0.1");

    Properties nodeProperties = new Properties();
    nodeProperties.setProperty("zkHost", zkHost);
    nodeProperties.setProperty("hostContext", context.replaceFirst("^/", ""));
    JettyConfig config =
        JettyConfig.builder().setPort(port).setContext(context).stopAtShutdown(false).build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), nodeProperties, config);

    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean started = new AtomicBoolean(false);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (!started.get()) {
                    return; // failed to start: main has said why
                  }
                  System.err.println("news.solr.SolrNodeMain: stopping on signal");
                  try {
                    runner.stop();
                  } catch (Exception e) {
                    e.printStackTrace();
                  }
                  stopped.countDown();
                  System.err.println("news.solr.SolrNodeMain: stopped");
                },
                "solr-shutdown"));
    try {
      runner.start();
    } catch (Exception e) {
      StringBuilder why = new StringBuilder(e.toString());
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t != e) {
          why.append(" <- caused by ").append(t);
        }
        for (Throwable suppressed : t.getSuppressed()) {
          why.append(" (suppressed: ").append(suppressed).append(")");
        }
      }
      try {
        runner.stop();
      } catch (Exception ignored) {
        // the start's failure is what matters
      }
      System.err.println(
          "news.solr.SolrNodeMain: FAILED to start Solr on 127.0.0.1:" + port + ": " + why);
      System.exit(1);
    }
    started.set(true);
    System.err.println(
        "news.solr.SolrNodeMain: serving http://127.0.0.1:" + runner.getLocalPort() + context
            + " (node " + runner.getNodeName() + ", zkHost " + zkHost + ")");
    stopped.await();
  }
}
