package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The backward engine and autograd bookkeeping, against hand-derived gradients and PyTorch's rules. */
class EngineTest {
    private static final String SECOND_BACKWARD_PREFIX = "Trying to backward through the graph a second time";

    private static Tensor leaf(float... values) {
        return Tensor.of(values).requiresGrad(true);
    }

    @Test
    void aChainOfAHundredThousandOpsBackpropagatesWithoutRecursion() {
        Tensor x = leaf(1f);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) {
            y = y.mul(1f).add(0f);
        }
        y.sum().backward();
        assertArrayEquals(new float[] {1f}, x.grad().toArray());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = leaf(1f, 2f);
        x.mul(x).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {4f, 8f}, x.grad().toArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {3f, 3f}, x.grad().toArray());
    }

    @Test
    void fanOutGradientsAreSummedBeforeTheNodeRuns() {
        Tensor x = leaf(3f);
        Tensor y = x.mul(x).add(x).mul(x.exp());
        y.backward();
        double expected = (2 * 3 + 1) * Math.exp(3) + (9 + 3) * Math.exp(3);
        assertEquals(expected, x.grad().item(), 1e-4 * expected);
    }

    @Test
    void secondBackwardFailsWithPyTorchsMessageUnlessTheGraphIsRetained() {
        Tensor x = leaf(1f, 2f);
        Tensor out = x.mul(x).sum();
        out.backward(null, true);
        out.backward();
        assertArrayEquals(new float[] {4f, 8f}, x.grad().toArray());
        IllegalStateException error = assertThrows(IllegalStateException.class, out::backward);
        assertTrue(error.getMessage().startsWith(SECOND_BACKWARD_PREFIX), error.getMessage());
        assertTrue(error.getMessage().endsWith("if you need to access saved tensors after calling backward."));
    }

    @Test
    void maxAlongADimSavesItsIndicesLikePyTorch() {
        Tensor x = Tensor.of(new float[][] {{1f, 5f}, {7f, 2f}}).requiresGrad(true);
        Tensor out = x.max(1, false).sum();
        out.backward();
        assertArrayEquals(new float[] {0f, 1f, 1f, 0f}, x.grad().toArray());
        assertThrows(IllegalStateException.class, out::backward);
    }

    @Test
    void graphsThatSaveNoTensorsCanBeReplayedAsInPyTorch() {
        Tensor x = leaf(1f, 2f);
        Tensor out = x.add(2f).sum();
        out.backward();
        out.backward();
        assertArrayEquals(new float[] {2f, 2f}, x.grad().toArray());
    }

    @Test
    void nonLeavesKeepNoGradientUnlessRetainedAndRetainedOnesAccumulate() {
        Tensor x = leaf(1f, 2f);
        Tensor y = x.mul(2f);
        Tensor z = y.mul(y).sum();
        Tensor kept = x.mul(3f).retainGrad();
        Tensor total = z.add(kept.sum());
        total.backward(null, true);
        assertNull(y.grad());
        assertArrayEquals(new float[] {1f, 1f}, kept.grad().toArray());
        total.backward();
        assertArrayEquals(new float[] {2f, 2f}, kept.grad().toArray());
        assertSame(kept, kept.retainGrad());
    }

    @Test
    void misuseRaisesPyTorchsMessages() {
        Tensor x = leaf(1f, 2f);
        assertEquals("grad can be implicitly created only for scalar outputs",
                assertThrows(IllegalStateException.class, () -> x.mul(2f).backward()).getMessage());
        assertEquals("element 0 of tensors does not require grad and does not have a grad_fn",
                assertThrows(IllegalStateException.class, () -> Tensor.of(1f).backward()).getMessage());
        assertEquals("Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of"
                + " torch.Size([2]).", assertThrows(IllegalArgumentException.class,
                        () -> x.mul(2f).backward(Tensor.ones(3))).getMessage());
        assertEquals("can't retain_grad on Tensor that has requires_grad=False",
                assertThrows(IllegalStateException.class, () -> Tensor.ones(2).retainGrad()).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> x.mul(2f).requiresGrad(false)).getMessage()
                .startsWith("you can only change requires_grad flags of leaf variables."));
    }

    @Test
    void requiresGradIsContagiousAndLeavesAreWhatUsersCreate() {
        Tensor a = leaf(1f);
        Tensor b = Tensor.of(2f);
        Tensor c = a.mul(b);
        assertTrue(c.requiresGrad());
        assertFalse(c.isLeaf());
        assertTrue(a.isLeaf());
        assertTrue(b.isLeaf());
        assertFalse(b.mul(b).requiresGrad());
        assertNull(b.mul(b).gradFn());
        Tensor nonLeaf = a.mul(2f);
        assertSame(nonLeaf, nonLeaf.requiresGrad(true));
    }

    @Test
    void nextFunctionsMirrorTheInputsWithNullWhereNoGradIsNeeded() {
        Tensor a = leaf(1f, 2f);
        Tensor product = a.mul(Tensor.of(3f, 4f));
        List<GradFn> next = product.gradFn().nextFunctions();
        assertEquals(2, next.size());
        assertEquals("torch::autograd::AccumulateGrad", next.get(0).name());
        assertNull(next.get(1));
        Tensor loss = product.rsub(10f).sum();
        assertEquals("SumBackward0", loss.gradFn().name());
        assertEquals("RsubBackward1", loss.gradFn().nextFunctions().get(0).name());
        assertSame(product.gradFn(), loss.gradFn().nextFunctions().get(0).nextFunctions().get(0));
        assertTrue(product.gradFn().toString().matches("<MulBackward0 object at 0x[0-9a-f]+>"));
        assertTrue(next.get(0).toString().matches("<AccumulateGrad object at 0x[0-9a-f]+>"));
    }

    @Test
    void noGradRecordsNothingAndRestoresTheOuterMode() {
        Tensor x = leaf(1f);
        try (Autograd.Guard outer = Autograd.noGrad()) {
            assertFalse(Autograd.isGradEnabled());
            assertNull(x.mul(2f).gradFn());
            try (Autograd.Guard inner = Autograd.enableGrad()) {
                assertTrue(x.mul(2f).requiresGrad());
            }
            assertFalse(Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
        assertTrue(x.mul(2f).requiresGrad());
    }

    @Test
    void gradModeIsPerThread() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Autograd.Guard guard = Autograd.noGrad()) {
            Future<Boolean> otherThreadRecords = other.submit(() -> leaf(1f).mul(2f).requiresGrad());
            assertTrue(otherThreadRecords.get());
            assertFalse(leaf(1f).mul(2f).requiresGrad());
        } finally {
            other.shutdown();
        }
    }

    @Test
    void independentGraphsTrainConcurrently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] runs = new Future<?>[8];
            for (int t = 0; t < runs.length; t++) {
                float value = t + 1;
                runs[t] = pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        Tensor x = leaf(value, -value);
                        x.pow(3f).sum().backward();
                        assertArrayEquals(new float[] {3 * value * value, 3 * value * value}, x.grad().toArray());
                    }
                    return null;
                });
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void detachSharesStorageWithoutHistory() {
        Tensor x = leaf(1f, 2f);
        Tensor y = x.mul(2f);
        Tensor d = y.detach();
        assertSame(y.data, d.data);
        assertTrue(d.isLeaf());
        assertFalse(d.requiresGrad());
        assertArrayEquals(y.toArray(), d.toArray());
    }

    @Test
    void accumulatedGradDoesNotAliasTheGradientPassedIn() {
        Tensor x = leaf(1f, 2f);
        Tensor gradient = Tensor.of(5f, 6f);
        x.backward(gradient);
        gradient.data[0] = 100f;
        assertArrayEquals(new float[] {5f, 6f}, x.grad().toArray());
        Tensor a = leaf(1f);
        Tensor b = leaf(1f);
        a.add(b).backward();
        a.grad().data[0] = 7f;
        assertEquals(1f, b.grad().item());
    }

    @Test
    void leafBackwardAccumulatesIntoItself() {
        Tensor x = leaf(1f, 2f);
        x.backward(Tensor.of(0.5f, 0.25f));
        assertArrayEquals(new float[] {0.5f, 0.25f}, x.grad().toArray());
    }

    @Test
    void autogradGradReturnsGradientsWithoutTouchingDotGrad() {
        Tensor x = leaf(2f);
        Tensor y = leaf(5f);
        Tensor f = x.pow(3f).mul(y);
        Tensor[] grads = Autograd.grad(new Tensor[] {f}, new Tensor[] {x, y}, null, false, false);
        assertEquals(3 * 4 * 5f, grads[0].item());
        assertEquals(8f, grads[1].item());
        assertNull(x.grad());
        assertNull(y.grad());
        assertFalse(grads[0].requiresGrad());
    }

    @Test
    void createGraphGivesHigherDerivatives() {
        Tensor x = leaf(2f);
        Tensor f = x.pow(3f);
        Tensor first = Autograd.grad(new Tensor[] {f}, new Tensor[] {x}, null, true, true)[0];
        assertEquals(12f, first.item());
        assertTrue(first.requiresGrad());
        Tensor second = Autograd.grad(new Tensor[] {first}, new Tensor[] {x}, null, true, true)[0];
        assertEquals(12f, second.item());
        Tensor third = Autograd.grad(new Tensor[] {second}, new Tensor[] {x}, null, false, false)[0];
        assertEquals(6f, third.item());
    }

    @Test
    void gradWithRespectToAnIntermediateTensor() {
        Tensor x = leaf(1f, 2f);
        Tensor h = x.mul(3f);
        Tensor out = h.mul(h).sum();
        Tensor[] grads = Autograd.grad(new Tensor[] {out}, new Tensor[] {h, x}, null, false, false);
        assertArrayEquals(new float[] {6f, 12f}, grads[0].toArray());
        assertArrayEquals(new float[] {18f, 36f}, grads[1].toArray());
    }

    @Test
    void gradWithSeveralOutputsAndGradOutputs() {
        Tensor x = leaf(1f, 2f);
        Tensor[] outputs = {x.mul(2f), x.mul(x)};
        Tensor[] gradOutputs = {Tensor.of(1f, 10f), Tensor.of(100f, 1000f)};
        Tensor[] grads = Autograd.grad(outputs, new Tensor[] {x}, gradOutputs, false, false);
        assertArrayEquals(new float[] {2f + 200f, 20f + 4000f}, grads[0].toArray());
    }

    @Test
    void gradWithARepeatedInputReturnsItsGradientInEverySlot() {
        Tensor x = leaf(3f);
        Tensor y = leaf(5f);
        Tensor[] grads = Autograd.grad(new Tensor[] {x.mul(y)}, new Tensor[] {x, y, x}, null, false, false);
        assertEquals(5f, grads[0].item());
        assertEquals(3f, grads[1].item());
        assertEquals(5f, grads[2].item());
    }

    @Test
    void gradMisuseRaisesPyTorchsMessages() {
        Tensor x = leaf(1f);
        Tensor unused = leaf(1f);
        assertEquals("One of the differentiated Tensors appears to not have been used in the graph. Set"
                + " allow_unused=True if this is the desired behavior.", assertThrows(IllegalStateException.class,
                        () -> Autograd.grad(new Tensor[] {x.mul(2f)}, new Tensor[] {unused}, null, false, false))
                .getMessage());
        assertEquals("One of the differentiated Tensors does not require grad", assertThrows(
                IllegalStateException.class, () -> Autograd.grad(new Tensor[] {x.mul(2f)},
                        new Tensor[] {Tensor.of(1f)}, null, false, false)).getMessage());
    }

    @Test
    void customOperationsJoinTheGraph() {
        Tensor x = leaf(1f, 2f);
        Tensor y = doubledBy("DoubleBackward", x, (g, saved, needs) -> new Tensor[] {g.mul(2f)});
        assertEquals("DoubleBackward", y.gradFn().name());
        y.sum().backward();
        assertArrayEquals(new float[] {2f, 2f}, x.grad().toArray());
        assertThrows(IllegalArgumentException.class, () -> Autograd.attach("Again", x.mul(2f), new Tensor[] {x},
                new Tensor[0], (g, saved, needs) -> new Tensor[] {g}));
    }

    // Built-in nodes share their needsGrad arrays; a caller's derivative must get its own.
    @Test
    void aCustomDerivativeThatWritesItsNeedsGradLeavesOtherNodesAlone() {
        Tensor x = leaf(1f, 2f);
        Tensor y = doubledBy("ScribbleBackward", x, (g, saved, needs) -> {
            boolean wanted = needs[0];
            needs[0] = false;
            return new Tensor[] {wanted ? g.mul(2f) : null};
        });
        y.sum().backward();
        assertArrayEquals(new float[] {2f, 2f}, x.grad().toArray());
        Tensor z = leaf(3f, 4f);
        z.neg().sum().backward();
        assertArrayEquals(new float[] {-1f, -1f}, z.grad().toArray());
    }

    @Test
    void identicalGraphsGiveBitIdenticalGradients() {
        float[] first = null;
        for (int run = 0; run < 3; run++) {
            Tensor.manualSeed(7);
            Tensor w = Tensor.randn(8, 5).requiresGrad(true);
            Tensor x = Tensor.randn(3, 8);
            x.matmul(w).tanh().softmax(1).log().mean().backward();
            float[] grad = w.grad().toArray();
            if (first == null) {
                first = grad;
            }
            assertTrue(Arrays.equals(first, grad), "run " + run + " differs");
        }
    }

    // a's node receives the same tensor four times (AddBackward0 hands its gradient to both
    // inputs): the engine may sum in place only into a buffer of its own, never into g.
    @Test
    void fanInIsSummedInPlaceOnlyIntoTheEnginesOwnBuffer() {
        Tensor x = leaf(1f, 2f, 3f);
        Tensor a = x.mul(2f);
        a.retainGrad();
        Tensor b = a.add(a).add(a).add(a);
        b.retainGrad();
        Tensor g = Tensor.of(0.5f, -1f, 4f);
        b.backward(g);
        assertArrayEquals(new float[] {0.5f, -1f, 4f}, g.toArray(), "the caller's gradient");
        assertArrayEquals(new float[] {0.5f, -1f, 4f}, b.grad().toArray(), "the retained output gradient");
        assertArrayEquals(new float[] {2f, -4f, 16f}, a.grad().toArray());
        assertArrayEquals(new float[] {4f, -8f, 32f}, x.grad().toArray());
        Tensor c = x.mul(2f);
        Tensor[] captured = Autograd.grad(new Tensor[] {c.add(c).add(c)}, new Tensor[] {c}, new Tensor[] {g},
                false, false);
        assertArrayEquals(new float[] {1.5f, -3f, 12f}, captured[0].toArray());
        assertArrayEquals(new float[] {0.5f, -1f, 4f}, g.toArray(), "the caller's gradient after grad()");
    }

    // Under createGraph the fan-in sums are nodes of the new graph: summing in place would corrupt it.
    @Test
    void fanInSumsStayDifferentiableUnderCreateGraph() {
        Tensor x = leaf(2f);
        Tensor h = x.mul(x);
        Tensor f = h.add(h).add(h).add(h);
        Tensor first = Autograd.grad(new Tensor[] {f}, new Tensor[] {x}, null, true, true)[0];
        assertEquals(16f, first.item());
        Tensor second = Autograd.grad(new Tensor[] {first}, new Tensor[] {x}, null, false, false)[0];
        assertEquals(8f, second.item());
    }

    /** A custom op whose backward returns {@code gradient} whatever its input: for testing the engine's check. */
    private static Tensor returning(Tensor x, Tensor gradient) {
        return doubledBy("FBackward", x, (g, saved, needs) -> new Tensor[] {gradient});
    }

    /** 2·x as a custom op named {@code name} with {@code derivative} as its backward. */
    private static Tensor doubledBy(String name, Tensor x, Derivative derivative) {
        Tensor result;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            result = x.mul(2f);
        }
        return Autograd.attach(name, result, new Tensor[] {x}, new Tensor[0], derivative);
    }

    // PyTorch's validate_outputs, text from torch 1.13 (a torch.autograd.Function named F).
    @Test
    void aGradientThatCannotBeSummedToTheInputsShapeNamesTheNodeAndBothShapes() {
        Tensor matrix = Tensor.ones(2, 3).requiresGrad(true);
        assertEquals("Function FBackward returned an invalid gradient at index 0 - got [4] but expected shape"
                + " compatible with [2, 3]", assertThrows(IllegalStateException.class,
                        () -> returning(matrix, Tensor.ones(4)).sum().backward()).getMessage());
        Tensor vector = leaf(1f, 2f, 3f);
        assertEquals("Function FBackward returned an invalid gradient at index 0 - got [] but expected shape"
                + " compatible with [3]", assertThrows(IllegalStateException.class, () -> Autograd.grad(
                        new Tensor[] {returning(vector, Tensor.scalar(1f)).sum()}, new Tensor[] {vector}, null,
                        false, false)).getMessage());
    }

    // As in PyTorch, a backward may return its output's broadcast shape: the engine sums it down.
    @Test
    void aBroadcastGradientIsSummedToTheInputsShapeByTheEngine() {
        Tensor x = Tensor.ones(2, 3).requiresGrad(true);
        returning(x, Tensor.ones(4, 2, 3)).sum().backward();
        assertArrayEquals(new float[] {4, 4, 4, 4, 4, 4}, x.grad().toArray());
        assertArrayEquals(new int[] {2, 3}, x.grad().shape());
        Tensor v = leaf(1f, 2f, 3f);
        Tensor[] captured = Autograd.grad(new Tensor[] {returning(v, Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6},
                2, 3)).sum()}, new Tensor[] {v}, null, false, false);
        assertArrayEquals(new float[] {5, 7, 9}, captured[0].toArray());
    }

    // y[i, j] = x[j]² over two rows, backward g·2x left at y's shape: under createGraph the engine's
    // reduction is recorded, so d/dx Σ_j (dy.sum/dx)_j = Σ_j 2·2 = 4 per element.
    @Test
    void theEnginesReductionIsRecordedUnderCreateGraph() {
        Tensor x = leaf(1f, -2f, 3f);
        Tensor y;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            y = x.mul(x).expand(2, 3).contiguous();
        }
        y = Autograd.attach("BroadcastSquareBackward", y, new Tensor[] {x}, new Tensor[] {x},
                (g, saved, needs) -> new Tensor[] {g.mul(saved[0].mul(2f))});
        Tensor first = Autograd.grad(new Tensor[] {y.sum()}, new Tensor[] {x}, null, true, true)[0];
        assertArrayEquals(new float[] {4f, -8f, 12f}, first.toArray());
        assertEquals("ViewBackward0", first.gradFn().name(), "sum_to drops the leading dim with a view");
        Tensor second = Autograd.grad(new Tensor[] {first.sum()}, new Tensor[] {x}, null, false, false)[0];
        assertArrayEquals(new float[] {4f, 4f, 4f}, second.toArray());
    }
}
