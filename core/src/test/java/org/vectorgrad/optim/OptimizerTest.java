package org.vectorgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;

/** Resuming from a saved state, argument checks and the bookkeeping around the update rules. */
class OptimizerTest {

    private static List<Tensor> params() {
        Tensor.manualSeed(7);
        return List.of(Tensor.randn(3, 4).requiresGrad(true), Tensor.randn(5).requiresGrad(true));
    }

    /** A loss whose gradient changes with the parameters, so a wrong state shows up in later steps. */
    private static void lossStep(Optimizer optimizer, List<Tensor> params) {
        optimizer.zeroGrad();
        params.get(0).pow(2f).sum().add(params.get(1).sin().sum()).backward();
        optimizer.step();
    }

    private static void checkResumeIsExact(Function<List<Tensor>, Optimizer> make, boolean withScheduler) {
        List<Tensor> straight = params();
        Optimizer a = make.apply(straight);
        LRScheduler sa = withScheduler ? new CosineAnnealingLR(a, 5, 0.001f) : null;
        List<Tensor> resumed = params();
        Optimizer b = make.apply(resumed);
        LRScheduler sb = withScheduler ? new CosineAnnealingLR(b, 5, 0.001f) : null;
        for (int i = 0; i < 3; i++) {
            lossStep(a, straight);
            lossStep(b, resumed);
            if (withScheduler) {
                sa.step();
                sb.step();
            }
        }
        Map<String, Tensor> saved = new LinkedHashMap<>();
        b.stateDict().forEach((k, v) -> saved.put(k, Tensor.fromArray(v.toArray(), v.shape())));
        Map<String, Tensor> savedScheduler = withScheduler ? sb.stateDict() : null;
        Optimizer fresh = make.apply(resumed);
        LRScheduler freshScheduler = withScheduler ? new CosineAnnealingLR(fresh, 5, 0.001f) : null;
        fresh.loadStateDict(saved);
        if (withScheduler) {
            freshScheduler.loadStateDict(savedScheduler);
        }
        for (int i = 0; i < 4; i++) {
            lossStep(a, straight);
            lossStep(fresh, resumed);
            if (withScheduler) {
                sa.step();
                freshScheduler.step();
            }
        }
        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i).toArray(), resumed.get(i).toArray(), "parameter " + i);
        }
        assertEquals(a.lrExact(), fresh.lrExact());
    }

    @Test
    void resumingFromStateDictContinuesBitForBit() {
        checkResumeIsExact(p -> new SGD(p, 0.05f, 0.9f, 0.1f, 0.01f, false), false);
        checkResumeIsExact(p -> new SGD(p, 0.05f, 0.9f, 0f, 0f, true), true);
        checkResumeIsExact(p -> new Adam(p, 0.01f, 0.9f, 0.99f, 1e-8f, 0.1f), true);
        checkResumeIsExact(p -> new AdamW(p, 0.01f, 0.05f), false);
    }

    @Test
    void stateDictNamesFollowPyTorchsStateKeys() {
        List<Tensor> p = params();
        Adam adam = new Adam(p, 0.01f);
        lossStep(adam, p);
        assertEquals(List.of("lr", "lr_bits", "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq",
                "state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq"), List.copyOf(adam.stateDict().keySet()));
        assertEquals(1f, adam.stateDict().get("state.0.step").item());
        SGD plain = new SGD(p, 0.1f);
        lossStep(plain, p);
        assertEquals(List.of("lr", "lr_bits"), List.copyOf(plain.stateDict().keySet()));
    }

    @Test
    void badStateChangesNothing() {
        List<Tensor> p = params();
        SGD sgd = new SGD(p, 0.1f, 0.9f);
        lossStep(sgd, p);
        float[] before = sgd.stateDict().get("state.0.momentum_buffer").toArray();
        Map<String, Tensor> bad = new LinkedHashMap<>(sgd.stateDict());
        bad.put("lr", Tensor.scalar(5f));
        bad.remove("lr_bits");
        bad.put("state.0.momentum_buffer", Tensor.zeros(4, 3));
        bad.put("state.7.momentum_buffer", Tensor.zeros(4, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(bad));
        assertTrue(e.getMessage().startsWith("Error(s) in loading state_dict for SGD:"), e.getMessage());
        assertTrue(e.getMessage().contains("size mismatch for state.0.momentum_buffer: copying a state with shape"
                + " [4, 3], the parameter needs [3, 4]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected key \"state.7.momentum_buffer\""), e.getMessage());
        assertEquals(0.1f, sgd.lr());
        assertArrayEquals(before, sgd.stateDict().get("state.0.momentum_buffer").toArray());
    }

    /** loadStateDict applies setLr's rule: NaN or a negative lr is refused, and nothing is restored. */
    @Test
    void aSavedLrThatSetLrRefusesIsRefusedByLoadStateDict() {
        for (double badLr : new double[] {Double.NaN, -1}) {
            List<Tensor> p = params();
            SGD sgd = new SGD(p, 0.1f, 0.9f);
            lossStep(sgd, p);
            float[] before = sgd.stateDict().get("state.0.momentum_buffer").toArray();
            Map<String, Tensor> bitsAndScalar = new LinkedHashMap<>(sgd.stateDict());
            bitsAndScalar.put("lr", Tensor.scalar((float) badLr));
            bitsAndScalar.put("lr_bits", Hyper.encode(badLr));
            bitsAndScalar.put("state.0.momentum_buffer", Tensor.zeros(3, 4));
            Map<String, Tensor> scalarOnly = new LinkedHashMap<>(bitsAndScalar);
            scalarOnly.remove("lr_bits");
            for (Map<String, Tensor> bad : List.of(bitsAndScalar, scalarOnly)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(bad));
                assertEquals("Error(s) in loading state_dict for SGD: Invalid learning rate: " + badLr, e.getMessage());
                assertEquals(0.1f, sgd.lr());
                assertArrayEquals(before, sgd.stateDict().get("state.0.momentum_buffer").toArray());
            }
            assertThrows(IllegalArgumentException.class, () -> sgd.setLr(badLr));
        }
    }

    /** Adam's step count drives its bias correction: a NaN or negative count is refused like a bad lr. */
    @Test
    void aSavedStepCountMustBeAWholeNumber() {
        List<Tensor> p = params();
        Adam adam = new Adam(p, 0.01f);
        lossStep(adam, p);
        for (float badStep : new float[] {Float.NaN, -1f, 1.5f}) {
            Map<String, Tensor> bad = new LinkedHashMap<>(adam.stateDict());
            bad.put("state.1.step", Tensor.scalar(badStep));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(bad));
            assertTrue(e.getMessage().contains("state.1.step must be a whole number of steps >= 0, got " + badStep),
                    e.getMessage());
            assertEquals(1f, adam.stateDict().get("state.1.step").item());
        }
    }

    @Test
    void aSchedulerStateWithAnInvalidLrIsRefused() {
        List<Tensor> p = params();
        SGD sgd = new SGD(p, 0.1f);
        StepLR schedule = new StepLR(sgd, 2, 0.5f);
        for (String key : new String[] {"base_lr_bits", "last_lr_bits"}) {
            Map<String, Tensor> bad = new LinkedHashMap<>(schedule.stateDict());
            bad.put(key, Hyper.encode(Double.NaN));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schedule.loadStateDict(bad));
            assertTrue(e.getMessage().contains(key + " holds an invalid learning rate: NaN"), e.getMessage());
        }
        assertEquals(0, schedule.lastEpoch());
        assertEquals(0.1f, schedule.lastLr());
    }

    @Test
    void argumentsAreCheckedWithPyTorchsMessages() {
        List<Tensor> p = params();
        assertMessage("Invalid learning rate: -0.1", () -> new SGD(p, -0.1f));
        assertMessage("Invalid momentum value: -0.5", () -> new SGD(p, 0.1f, -0.5f));
        assertMessage("Nesterov momentum requires a momentum and zero dampening",
                () -> new SGD(p, 0.1f, 0.9f, 0.1f, 0f, true));
        assertMessage("Invalid beta parameter at index 1: 1.0", () -> new Adam(p, 0.1f, 0.9f, 1f, 1e-8f, 0f));
        assertMessage("Invalid epsilon value: -1.0", () -> new AdamW(p, 0.1f, 0.9f, 0.99f, -1f, 0f));
        assertMessage("Invalid weight_decay value: -0.01", () -> new AdamW(p, 0.1f, -0.01f));
        assertMessage("optimizer got an empty parameter list", () -> new Adam(List.of(), 0.1f));
        Tensor notLeaf = p.get(1).mul(2f);
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(notLeaf), 0.1f));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p.get(0), p.get(0)), 0.1f));
    }

    private static void assertMessage(String message, Runnable r) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, r::run).getMessage());
    }

    @Test
    void zeroGradDropsGradientsAndStepSkipsParametersWithout() {
        List<Tensor> p = params();
        SGD sgd = new SGD(p, 0.1f, 0.9f);
        p.get(0).sum().backward();
        float[] untouched = p.get(1).toArray();
        sgd.step();
        assertArrayEquals(untouched, p.get(1).toArray());
        assertEquals(List.of("lr", "lr_bits", "state.0.momentum_buffer"), List.copyOf(sgd.stateDict().keySet()));
        sgd.zeroGrad();
        assertNull(p.get(0).grad());
    }

    @Test
    void lrIsTheDecimalTheUserTyped() {
        SGD sgd = new SGD(params(), 0.01f);
        assertEquals(0.01, sgd.lrExact());
        assertEquals(0.01f, sgd.lr());
        sgd.setLr(0.3f);
        assertEquals(0.3, sgd.lrExact());
        StepLR step = new StepLR(sgd, 2, 0.5f);
        step.step();
        assertEquals(0.3f, step.lastLr());
        step.step();
        assertEquals(0.15, sgd.lrExact());
        assertEquals(2, step.lastEpoch());
    }
}
