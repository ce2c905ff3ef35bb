package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 11, defect 1 (version counters, writes into expanded views), tensor hooks and anomaly
 * mode, against PyTorch 1.13's texts and values (fixtures/autograd_engine.txt, written by
 * tools/pytorch/gen_autograd_engine_fixtures.py, whose code each case here mirrors).
 */
class AutogradEngineTest {
    private static final Map<String, String> EXPECTED = load();

    private static Map<String, String> load() {
        Map<String, String> cases = new LinkedHashMap<>();
        for (String line : Fixtures.dataLines("/fixtures/autograd_engine.txt")) {
            int tab = line.indexOf('\t');
            cases.put(line.substring(0, tab), Fixtures.unescape(line.substring(tab + 1)));
        }
        return cases;
    }

    private static String expected(String name) {
        String text = EXPECTED.get(name);
        if (text == null) {
            throw new IllegalStateException("no fixture case " + name);
        }
        return text;
    }

    /** The fixture's message, or "ok" when PyTorch raised nothing. */
    private static void assertOutcome(String name, Executable code) {
        String want = expected(name);
        if (want.equals("ok")) {
            assertDoesNotThrow(code, name);
            return;
        }
        RuntimeException e = assertThrows(RuntimeException.class, code, name);
        assertEquals(want, e.getMessage(), name);
    }

    private static void assertDoesNotThrow(Executable code, String name) {
        try {
            code.execute();
        } catch (Throwable t) {
            throw new AssertionError(name + ": PyTorch raises nothing, we threw " + t, t);
        }
    }

    private static void assertValues(String name, Tensor actual) {
        String[] words = expected(name).split(" ");
        float[] want = new float[words.length];
        for (int i = 0; i < words.length; i++) {
            want[i] = words[i].equals("nan") ? Float.NaN : Float.parseFloat(words[i]);
        }
        assertArrayEquals(want, actual.toArray(), name);
    }

    private static Tensor leaf(float... values) {
        return Tensor.of(values).requiresGrad(true);
    }

    // ---- defect 1: version counters ---------------------------------------------------------

    private static void leafSaved() {
        Tensor w = leaf(2, 3);
        Tensor x = leaf(5, 7);
        Tensor y = x.mul(w).sum();
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            w.addInPlace(Tensor.of(100, 100), 1f);
        }
        y.backward();
    }

    @Test
    void backwardRefusesASavedLeafChangedInPlace() {
        assertOutcome("version:leaf_saved", AutogradEngineTest::leafSaved);
    }

    @Test
    void underAnomalyModeTheHintPointsAtTheTrace() {
        assertOutcome("version:leaf_saved_anomaly", () -> {
            try (Autograd.Guard ignored = Autograd.detectAnomaly()) {
                leafSaved();
            }
        });
    }

    @Test
    void aSavedOutputNamesItsProducerAndCountsEveryWrite() {
        assertOutcome("version:output_saved", () -> {
            Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}}).requiresGrad(true);
            Tensor e = x.exp();
            try (Autograd.Guard ignored = Autograd.noGrad()) {
                e.mulInPlace(2f);
                e.fill(1f);
            }
            e.sum().backward();
        });
    }

    @Test
    void aSavedNonLeafInputNamesItsProducer() {
        assertOutcome("version:nonleaf_saved", () -> {
            Tensor x = leaf(1, 2);
            Tensor w = leaf(3, 4);
            Tensor t = x.mul(2f);
            Tensor y = t.mul(w).sum();
            try (Autograd.Guard ignored = Autograd.noGrad()) {
                t.copyFrom(Tensor.of(0, 0));
            }
            y.backward();
        });
    }

    @Test
    void aWriteThroughTheBaseInvalidatesASavedView() {
        assertOutcome("version:view_saved", () -> {
            Tensor base = Tensor.of(new float[][] {{2, 3}, {4, 5}});
            Tensor x = leaf(5, 7);
            Tensor y = x.mul(base.select(0, 0)).sum();
            base.addInPlace(Tensor.ones(2, 2), 1f);
            y.backward();
        });
    }

    @Test
    void aZeroDimSavedTensorPrintsEmptySizes() {
        assertOutcome("version:scalar_saved", () -> {
            Tensor s = Tensor.scalar(3f);
            Tensor x = leaf(1, 2);
            Tensor y = x.mul(s).sum();
            s.mulInPlace(2f);
            y.backward();
        });
    }

    @Test
    void writesIntoTensorsNobodySavedAreFine() {
        assertOutcome("version:add_unsaved", () -> {
            Tensor x = leaf(1, 2);
            Tensor w = leaf(3, 4);
            Tensor y = x.add(w).sum();
            try (Autograd.Guard ignored = Autograd.noGrad()) {
                w.addInPlace(Tensor.ones(2), 1f);
            }
            y.backward();
        });
    }

    @Test
    void viewsDetachedAliasesAndBaseShareOneCounter() {
        Tensor t = Tensor.zeros(2, 3);
        Tensor v = t.select(0, 1);
        Tensor d = t.detach();
        List<Integer> seq = new ArrayList<>();
        seq.add(t.version());
        t.addInPlace(Tensor.ones(3), 1f);
        seq.add(v.version());
        v.fill(2f);
        seq.add(t.version());
        d.mulInPlace(3f);
        seq.add(v.version());
        v.copyFrom(Tensor.ones(3));
        seq.add(d.version());
        t.addInPlace(Tensor.ones(2, 3), 2f);
        seq.add(t.version());
        t.t().mulInPlace(2f);
        seq.add(t.version());
        seq.add(t.add(1f).version());
        assertEquals(expected("version:sequence"), String.join(" ", seq.stream().map(String::valueOf).toList()));
    }

    @Test
    void writesIntoAnExpandedViewAreRefusedExceptFill() {
        assertOutcome("expanded:add_", () -> Tensor.zeros(1).expand(3).addInPlace(Tensor.ones(3), 1f));
        assertOutcome("expanded:mul_", () -> Tensor.zeros(1).expand(3).mulInPlace(2f));
        assertOutcome("expanded:fill_", () -> Tensor.zeros(1).expand(3).fill(1f));
        assertOutcome("expanded:copy_", () -> Tensor.zeros(1).expand(3).copyFrom(Tensor.ones(3)));
        assertOutcome("expanded:size1", () -> Tensor.zeros(1, 3).expand(1, 3).addInPlace(Tensor.ones(3), 1f));
    }

    @Test
    void optimizerStyleUpdatesBumpTheVersionOnce() {
        Tensor p = Tensor.zeros(3);
        p.addInPlace(Tensor.ones(3), -0.1f);
        p.mulInPlace(0.5f);
        assertEquals(2, p.version());
    }

    // ---- tensor hooks -----------------------------------------------------------------------

    @Test
    void leafHooksRunInOrderBeforeAccumulation() {
        List<Tensor> seen = new ArrayList<>();
        Tensor x = leaf(1, 2, 3);
        x.registerHook(g -> g.mul(2f));
        x.registerHook(g -> {
            seen.add(g);
            return null;
        });
        x.registerHook(g -> g.add(1f));
        x.mul(x).sum().backward();
        assertValues("hook:leaf_grad", x.grad());
        assertValues("hook:leaf_seen", seen.get(0));
    }

    @Test
    void removedHooksDoNotRun() {
        Tensor x = leaf(1, 2);
        RemovableHandle handle = x.registerHook(g -> g.mul(100f));
        x.registerHook(g -> g.mul(3f));
        handle.remove();
        handle.remove();
        x.mul(5f).sum().backward();
        x.mul(5f).sum().backward();
        assertValues("hook:removed", x.grad());
    }

    @Test
    void nonLeafHooksSeeTheTotalIncomingGradientAndMayReplaceIt() {
        List<Tensor> seen = new ArrayList<>();
        Tensor x = leaf(1, 2);
        Tensor z = x.mul(2f);
        z.registerHook(g -> {
            seen.add(g.detach().contiguous().add(0f));
            return g.mul(10f);
        });
        z.mul(z).add(z).sum().backward();
        assertValues("hook:nonleaf_seen", seen.get(0));
        assertValues("hook:nonleaf_grad", x.grad());
    }

    @Test
    void retainedGradientOfANonLeafIsTheHookedOne() {
        Tensor x = leaf(1, 2);
        Tensor z = x.mul(2f);
        z.registerHook(g -> g.mul(10f));
        z.retainGrad();
        z.sum().backward();
        assertValues("hook:retain_after", z.grad());
    }

    @Test
    void hooksNeedATensorThatRequiresGrad() {
        assertOutcome("hook:no_grad", () -> Tensor.of(1f).registerHook(g -> g));
    }

    @Test
    void aHookMayNotChangeTheGradientsShape() {
        Tensor x = leaf(1, 2);
        x.registerHook(g -> g.sum());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.mul(2f).sum().backward());
        assertEquals("hook has changed the size of value: the gradient of shape torch.Size([2]) was replaced by"
                + " one of shape torch.Size([])", e.getMessage());
    }

    @Test
    void hooksRunUnderCreateGraphAndStayDifferentiable() {
        Tensor x = leaf(1, 2);
        Tensor z = x.mul(x);
        z.registerHook(g -> g.mul(3f));
        Tensor first = Autograd.grad(new Tensor[] {z.sum()}, new Tensor[] {x}, null, true, true)[0];
        assertArrayEquals(new float[] {6, 12}, first.toArray());
        first.sum().backward();
        assertArrayEquals(new float[] {6, 6}, x.grad().toArray());
    }

    // ---- anomaly mode ---------------------------------------------------------------------------

    @Test
    void anomalyModeNamesTheNodeThatReturnedNanWithItsForwardTrace() {
        Tensor x = Tensor.of(0f, 1f).requiresGrad(true);
        IllegalStateException e;
        try (Autograd.Guard ignored = Autograd.detectAnomaly()) {
            Tensor y = x.log().mul(0f).sum();
            e = assertThrows(IllegalStateException.class, y::backward);
        }
        assertEquals(expected("anomaly:log"), e.getMessage());
        Throwable trace = e.getCause();
        assertEquals("Error detected in LogBackward0. Traceback of forward call that caused the error:",
                trace.getMessage());
        assertTrue(List.of(trace.getStackTrace()).stream().anyMatch(frame ->
                frame.getMethodName().equals("anomalyModeNamesTheNodeThatReturnedNanWithItsForwardTrace")),
                "the trace shows the forward call");
    }

    @Test
    void anomalyModeCountsOutputsFromZero() {
        Tensor a = Tensor.of(Float.POSITIVE_INFINITY).requiresGrad(true);
        Tensor b = leaf(1f);
        try (Autograd.Guard ignored = Autograd.detectAnomaly()) {
            Tensor y = a.mul(b).mul(0f).sum();
            assertOutcome("anomaly:mul", y::backward);
        }
    }

    @Test
    void withoutAnomalyModeNanFlowsThrough() {
        Tensor x = Tensor.of(0f, 1f).requiresGrad(true);
        assertOutcome("anomaly:off", () -> x.log().mul(0f).sum().backward());
        assertValues("anomaly:off_grad", x.grad());
    }

    @Test
    void anomalyModeLeavesFiniteGradientsAloneAndScopesNest() {
        Tensor x = leaf(2, 4);
        try (Autograd.Guard outer = Autograd.detectAnomaly()) {
            try (Autograd.Guard inner = Autograd.detectAnomaly()) {
                assertTrue(AnomalyMode.isEnabled());
            }
            assertTrue(AnomalyMode.isEnabled());
            x.log().sum().backward();
        }
        assertValues("anomaly:finite_grad", x.grad());
        assertTrue(!AnomalyMode.isEnabled());
        Tensor y = Tensor.of(1f).requiresGrad(true).exp();
        assertNull(((Node) y.gradFn()).forwardTrace, "no trace is recorded outside the scope");
    }

    @Test
    void anomalyModeAttachesTheForwardTraceToOtherBackwardErrors() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (Autograd.Guard ignored = Autograd.detectAnomaly()) {
                leafSaved();
            }
        });
        assertEquals(1, e.getSuppressed().length);
        assertEquals("Error detected in MulBackward0. Traceback of forward call that caused the error:",
                e.getSuppressed()[0].getMessage());
    }
}
