package org.vectorgrad;

import static org.vectorgrad.GradCheck.check;
import static org.vectorgrad.GradCheck.leaf;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties over random broadcast-compatible shape pairs: every broadcasting binary op's
 * gradients pass the finite-difference check (see {@link GradCheck}), i.e. the broadcast is
 * undone by summing exactly the expanded dimensions, whatever the ranks and size-1 dims.
 */
final class BroadcastGradTest {

    /** Two shapes derived from one full shape: leading dims dropped, some dims set to 1. */
    record ShapePair(int[] a, int[] b) {
        @Override
        public String toString() {
            return Arrays.toString(a) + " with " + Arrays.toString(b);
        }
    }

    @Provide
    Arbitrary<ShapePair> shapePairs() {
        Arbitrary<List<Integer>> full = Arbitraries.of(1, 2, 3, 5).list().ofMaxSize(4);
        return full.flatMap(f -> Combinators.combine(operand(f), operand(f)).as(ShapePair::new));
    }

    private static Arbitrary<int[]> operand(List<Integer> full) {
        Arbitrary<Integer> dropped = Arbitraries.integers().between(0, full.size());
        Arbitrary<List<Boolean>> ones = Arbitraries.of(true, false, false).list().ofSize(full.size());
        return Combinators.combine(dropped, ones).as((drop, one) -> {
            int[] shape = new int[full.size() - drop];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = one.get(d + drop) ? 1 : full.get(d + drop);
            }
            return shape;
        });
    }

    @Provide
    Arbitrary<OpsGradTest.Binary> binaryOps() {
        return Arbitraries.of(OpsGradTest.BINARY);
    }

    @Property(tries = 200, seed = "20240611")
    void broadcastBinaryGradients(@ForAll("shapePairs") ShapePair shapes,
                                  @ForAll("binaryOps") OpsGradTest.Binary op) {
        Random random = new Random(Arrays.hashCode(shapes.a()) * 31L + Arrays.hashCode(shapes.b()));
        check(op + " " + shapes, x -> op.op().apply(x[0], x[1]), x -> x[0].zip(x[1], op.ref()),
                leaf(op.a().sample(random, Ref.numel(shapes.a())), shapes.a()),
                leaf(op.b().sample(random, Ref.numel(shapes.b())), shapes.b()));
    }

    @Property(tries = 100, seed = "20240612")
    void expandAndSumToSizeGradients(@ForAll("shapePairs") ShapePair shapes) {
        // expand's backward is sumToShape; sumToSize's backward is expand: check the pair together.
        int[] full = Ref.broadcast(shapes.a(), shapes.b());
        Random random = new Random(Arrays.hashCode(full));
        check("expand " + Arrays.toString(shapes.a()) + " -> " + Arrays.toString(full),
                x -> x[0].expand(full), x -> x[0].expand(full),
                leaf(GradCheck.uniform(random, Ref.numel(shapes.a()), -2, 2), shapes.a()));
        check("sumToSize " + Arrays.toString(full) + " -> " + Arrays.toString(shapes.b()),
                x -> x[0].sumToSize(shapes.b()), x -> x[0].sumTo(shapes.b()),
                leaf(GradCheck.uniform(random, Ref.numel(full), -2, 2), full));
    }
}
