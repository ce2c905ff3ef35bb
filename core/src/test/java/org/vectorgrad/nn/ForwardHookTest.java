package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vectorgrad.RemovableHandle;
import org.vectorgrad.Tensor;

/** {@code Module.registerForwardHook}: PyTorch's {@code register_forward_hook(hook(module, input, output))}. */
class ForwardHookTest {
    @Test
    void hooksSeeModuleInputAndOutputInOrderAndMayReplaceTheOutput() {
        ReLU relu = new ReLU();
        List<String> calls = new ArrayList<>();
        Tensor x = Tensor.of(-1f, 2f);
        relu.registerForwardHook((module, input, output) -> {
            assertSame(relu, module);
            assertSame(x, input);
            calls.add("first " + java.util.Arrays.toString(output.toArray()));
            return output.mul(10f);
        });
        relu.registerForwardHook((module, input, output) -> {
            calls.add("second " + java.util.Arrays.toString(output.toArray()));
            return null;
        });
        assertArrayEquals(new float[] {0f, 20f}, relu.call(x).toArray());
        assertEquals(List.of("first [0.0, 2.0]", "second [0.0, 20.0]"), calls);
        assertArrayEquals(new float[] {0f, 2f}, relu.forward(x).toArray(), "forward() itself runs no hooks");
    }

    @Test
    void containersCallTheirChildrenThroughTheirHooksAndRemovedHooksDoNotRun() {
        ReLU relu = new ReLU();
        Sequential model = new Sequential(new Flatten(), relu);
        RemovableHandle handle = relu.registerForwardHook((module, input, output) -> output.add(1f));
        Tensor x = Tensor.of(new float[][] {{-1f, 3f}});
        assertArrayEquals(new float[] {1f, 4f}, model.forward(x).toArray());
        handle.remove();
        handle.remove();
        assertArrayEquals(new float[] {0f, 3f}, model.forward(x).toArray());
    }

    @Test
    void aHookReplacingTheOutputIsPartOfTheGraph() {
        Linear linear = new Linear(2, 1, false);
        linear.registerForwardHook((module, input, output) -> output.mul(3f));
        Tensor x = Tensor.of(new float[][] {{1f, 2f}});
        linear.call(x).sum().backward();
        assertArrayEquals(new float[] {3f, 6f}, linear.parameters().get(0).grad().toArray());
    }
}
