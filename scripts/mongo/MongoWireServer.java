import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

/**
 * A MongoDB wire-protocol server for machines without a real mongod (scripts/infra.sh).
 *
 * mongo-java-server's newest built-in version (MONGO_5_0) reports maxWireVersion 8, which the
 * mongodb 7.x driver refuses (it needs 9, MongoDB 4.4). The library lets a backend report any
 * MongoVersion, so this launcher reports 4.4 / wire 9: the lowest the 7.x driver accepts, so the
 * driver assumes as few newer server features as possible. The commands the platform uses (insert,
 * find with sort and limit, createIndexes, ping) are covered by the integration tests.
 *
 * Usage: java -cp <classpath> MongoWireServer.java [--host 127.0.0.1] [--port 27017] [--file path]
 * With --file, data lives in an H2 file (survives restarts); without, in memory.
 */
public class MongoWireServer {
  record ReportedVersion(List<Integer> versionArray, int wireVersion) implements MongoVersion {
    public List<Integer> getVersionArray() { return versionArray; }
    public int getWireVersion() { return wireVersion; }
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 27017;
    String file = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> host = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--file" -> file = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    MongoBackend backend = file == null ? new MemoryBackend() : new H2Backend(file);
    backend.version(new ReportedVersion(List.of(4, 4, 0), 9));
    MongoServer server = new MongoServer(backend);
    server.bind(host, port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    System.out.println("mongo wire server listening on " + host + ":" + port + (file == null ? " (memory)" : " (" + file + ")"));
    Thread.currentThread().join();
  }
}
