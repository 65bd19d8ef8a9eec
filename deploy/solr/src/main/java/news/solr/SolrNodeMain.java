package news.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
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
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
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
    runner.start();
    System.err.println(
        "news.solr.SolrNodeMain: serving http://127.0.0.1:" + runner.getLocalPort() + context
            + " (node " + runner.getNodeName() + ", zkHost " + zkHost + ")");
    stopped.await();
  }
}
