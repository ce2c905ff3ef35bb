package org.vectorgrad.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;

/**
 * One embedded {@code local[2]} Spark for all tests of the module (starting one costs seconds):
 * two task slots, so a barrier stage of two workers, as on the CI machine's two cores.
 */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        // The local-cluster execution runs only LocalClusterTest, unless -Dtest widens it: then the
        // other classes step aside (one SparkContext per JVM).
        Assumptions.assumeFalse(Boolean.getBoolean("vectorgrad.localCluster"), "the local-cluster JVM");
        if (session == null) {
            SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("vectorgrad-spark-tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.sql.shuffle.partitions", "2")
                    .set("spark.log.level", "WARN");
            session = SparkSession.builder().config(conf).getOrCreate();
        }
        return session;
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }
}
