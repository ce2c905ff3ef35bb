package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * The gradient exchange alone, no compute: K barrier tasks on local[K] sum a vector of the
 * Fashion-MNIST MLP's size (235,146 parameters + the loss) {@code steps} times, per exchange
 * exchange (memory in one JVM, TCP sockets, Spark's allGather); prints each worker's median,
 * mean and 90th percentile microseconds per exchange. Not a test (timings);
 * run it by hand: {@code java ... org.vectorgrad.spark.SyncOverheadBenchmark [steps] [floats]}.
 */
public final class SyncOverheadBenchmark {
    private SyncOverheadBenchmark() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int floats = args.length > 1 ? Integer.parseInt(args[1]) : 235_147;
        int workers = 2;
        int gatherSteps = Math.min(steps, 30); // allGather takes ~1 s a call
        for (String mode : List.of("memory", "sockets", "allGather", "memory", "sockets")) {
            JavaRDD<Integer> ranks = LocalSpark.context().parallelize(List.of(0, 1), workers);
            RDD<long[]> timed = ranks.rdd().barrier().mapPartitions(new Loop(mode, mode.equals("allGather") ? gatherSteps : steps, floats), false,
                    ClassTag$.MODULE$.apply(long[].class));
            List<long[]> results = new JavaRDD<>(timed, ClassTag$.MODULE$.apply(long[].class)).collect();
            for (int w = 0; w < results.size(); w++) {
                long[] nanos = results.get(w);
                // The first tenth warms up (JIT, TCP windows).
                long[] kept = Arrays.copyOfRange(nanos, nanos.length / 10, nanos.length);
                Arrays.sort(kept);
                System.out.printf(Locale.ROOT, "%-10s worker %d: %d floats, median %.0f us, mean %.0f us, p90 %.0f us%n",
                        mode, w, floats, kept[kept.length / 2] / 1e3, Arrays.stream(kept).average().orElse(0) / 1e3,
                        kept[kept.length * 9 / 10] / 1e3);
            }
        }
        LocalSpark.session().stop();
    }

    private static final class Loop extends AbstractFunction1<Iterator<Integer>, Iterator<long[]>>
            implements Serializable {
        private final String mode;
        private final int steps;
        private final int floats;

        Loop(String mode, int steps, int floats) {
            this.mode = mode;
            this.steps = steps;
            this.floats = floats;
        }

        @Override
        public Iterator<long[]> apply(Iterator<Integer> ignored) {
            BarrierTaskContext context = BarrierTaskContext.get();
            int rank = context.partitionId();
            long[] nanos = new long[steps];
            // Two vectors by turns: peers in one JVM read a vector until the next call returns.
            float[][] vectors = {new float[floats], new float[floats]};
            try (AllReduce exchange = mode.equals("allGather") ? new AllGatherAllReduce(context)
                    : Mesh.open(context, DriverLink.none(), mode.equals("memory"))) {
                for (int s = 0; s < steps; s++) {
                    float[] v = vectors[s & 1];
                    Arrays.fill(v, rank + 1);
                    long start = System.nanoTime();
                    exchange.sum(v, s);
                    nanos[s] = System.nanoTime() - start;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            List<long[]> out = new ArrayList<>();
            out.add(nanos);
            return CollectionConverters.asScala(out.iterator());
        }
    }
}
