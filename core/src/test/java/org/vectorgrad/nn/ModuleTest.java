package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.models.ResNet;

/**
 * The Module registry: names, order, modes, gradients, state_dict round trips, and loading errors
 * with PyTorch's message text (recorded from PyTorch 1.13) that leave the module untouched.
 */
class ModuleTest {

    /** A module with a shared parameter, to check de-duplication. */
    private static final class Tied extends Module {
        Tied() {
            Linear a = registerModule("a", new Linear(2, 2));
            registerModule("b", new Sequential(new ReLU(), a));
            registerBuffer("steps", Tensor.scalar(0f));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void namesAndOrderFollowPyTorch() {
        Sequential s = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(s.namedParameters().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked"), List.copyOf(s.stateDict().keySet()));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"),
                List.copyOf(s.namedBuffers().keySet()));
        assertEquals(List.of("", "0", "1"), List.copyOf(s.namedModules().keySet()));
        for (Tensor p : s.parameters()) {
            assertTrue(p.requiresGrad() && p.isLeaf());
        }
        assertEquals(0, s.stateDict().get("1.num_batches_tracked").dim());
    }

    @Test
    void sharedParametersAppearOnceButStateDictKeepsEveryName() {
        Tied tied = new Tied();
        assertEquals(List.of("a.weight", "a.bias"), List.copyOf(tied.namedParameters().keySet()));
        assertEquals(List.of("steps", "a.weight", "a.bias", "b.1.weight", "b.1.bias"),
                List.copyOf(tied.stateDict().keySet()));
        assertEquals(2, tied.parameters().size());
    }

    /** Counts printed by torchvision for resnet18(). */
    @Test
    void resnet18HasTorchvisionsParameterCount() {
        ResNet model = ResNet.resnet18(1000);
        long count = model.parameters().stream().mapToLong(Tensor::numel).sum();
        assertEquals(11_689_512L, count);
        assertEquals(62, model.parameters().size());
        assertEquals(122, model.stateDict().size());
    }

    @Test
    void trainAndEvalAreRecursiveAndReturnThis() {
        Sequential inner = new Sequential(new Dropout(0.5f));
        Sequential outer = new Sequential(new Linear(2, 2), inner);
        assertTrue(outer.isTraining());
        assertSame(outer, outer.eval());
        assertFalse(inner.isTraining());
        assertFalse(inner.get(0).isTraining());
        assertSame(outer, outer.train());
        assertTrue(inner.get(-1).isTraining());
    }

    @Test
    void zeroGradSetsGradientsToNone() {
        Linear linear = new Linear(2, 2);
        linear.weight().sum().add(linear.bias().sum()).backward();
        assertTrue(linear.weight().grad() != null);
        linear.zeroGrad();
        assertNull(linear.weight().grad());
        assertNull(linear.bias().grad());
    }

    @Test
    void stateDictSharesStorageAndLoadCopies() {
        Linear a = new Linear(3, 2);
        Linear b = new Linear(3, 2);
        Tensor weightB = b.weight();
        b.loadStateDict(a.stateDict());
        assertSame(weightB, b.weight(), "loading copies into the existing parameter");
        assertArrayEquals(a.weight().toArray(), b.weight().toArray());
        assertArrayEquals(a.bias().toArray(), b.bias().toArray());
        Tensor view = a.stateDict().get("weight");
        assertNotSame(a.weight(), view);
        assertFalse(view.requiresGrad());
        try (var ignored = org.vectorgrad.Autograd.noGrad()) {
            a.weight().fill(7f);
        }
        assertEquals(7f, view.get(0, 0), "stateDict values are views of the module's storage");
    }

    @Test
    void loadErrorsUsePyTorchsMessageAndChangeNothing() {
        ResNet model = ResNet.resnet18(10);
        Map<String, Tensor> state = new LinkedHashMap<>(ResNet.resnet18(10).stateDict());
        state.remove("fc.bias");
        state.put("fc.weight", Tensor.zeros(5, 512));
        state.put("extra.w", Tensor.zeros(1));
        state.put("layer1.0.foo", Tensor.zeros(1));
        List<float[]> before = new ArrayList<>();
        model.stateDict().values().forEach(t -> before.add(t.toArray()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
        assertEquals("Error(s) in loading state_dict for ResNet:\n\tMissing key(s) in state_dict: \"fc.bias\". \n"
                + "\tUnexpected key(s) in state_dict: \"extra.w\", \"layer1.0.foo\". \n"
                + "\tsize mismatch for fc.weight: copying a param with shape torch.Size([5, 512]) from checkpoint,"
                + " the shape in current model is torch.Size([10, 512]).", e.getMessage());
        List<Tensor> after = List.copyOf(model.stateDict().values());
        for (int i = 0; i < after.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i).toArray(), "entry " + i + " was overwritten");
        }
    }

    @Test
    void registrationRejectsDuplicatesAndDottedNames() {
        Module m = new Module() {
            {
                registerParameter("w", Tensor.zeros(1));
                assertThrows(IllegalArgumentException.class, () -> registerBuffer("w", Tensor.zeros(1)));
                assertThrows(IllegalArgumentException.class, () -> registerModule("a.b", new ReLU()));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        assertEquals(1, m.parameters().size());
    }

    @Test
    void reprFollowsPyTorch() {
        Sequential s = new Sequential(new Linear(3, 4), new ReLU(), new Sequential(new Flatten(), new Dropout(0.5f)),
                new MaxPool2d(3, 2), new MaxPool2d(3, 2, 1), new AvgPool2d(2), new AdaptiveAvgPool2d(1),
                new BatchNorm1d(3), new Conv2d(3, 4, 3, 1, 1, 1, false), new Conv2d(3, 4, 3, 2, 0, 2, true));
        // Printed by PyTorch 1.13 for the same modules.
        assertEquals("""
                Sequential(
                  (0): Linear(in_features=3, out_features=4, bias=True)
                  (1): ReLU()
                  (2): Sequential(
                    (0): Flatten(start_dim=1, end_dim=-1)
                    (1): Dropout(p=0.5, inplace=False)
                  )
                  (3): MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)
                  (4): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)
                  (5): AvgPool2d(kernel_size=2, stride=2, padding=0)
                  (6): AdaptiveAvgPool2d(output_size=1)
                  (7): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                  (8): Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
                  (9): Conv2d(3, 4, kernel_size=(3, 3), stride=(2, 2), dilation=(2, 2))
                )""", s.toString());
        assertEquals("Linear(in_features=3, out_features=4, bias=False)", new Linear(3, 4, false).toString());
        assertEquals("Sequential()", new Sequential().toString());
    }
}
