package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Tensor;

/**
 * Every case of fixtures/state_dict.txt (tools/pytorch/gen_state_dict_fixtures.py): loading an
 * edited state dict reports PyTorch's missing and unexpected keys or throws PyTorch's message; on
 * success exactly the matching entries were copied, on failure nothing was.
 */
class StateLoadPyTorchTest {
    private static final Map<String, Supplier<Module>> MODELS = Map.of(
            "mlp", () -> new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)),
            "nested", () -> new Sequential(new Linear(3, 4), new Sequential(new ReLU(), new Linear(4, 2, false))),
            "cnn", () -> new Sequential(new Conv2d(1, 2, 3, 1, 1), new BatchNorm2d(2), new ReLU(), new Flatten(),
                    new Linear(2 * 4 * 4, 3)));

    @TestFactory
    Stream<DynamicTest> loadsLikePyTorch() {
        return Fixtures.dataLines("/fixtures/state_dict.txt").stream()
                .map(line -> DynamicTest.dynamicTest(line.substring(0, line.indexOf('\t', line.indexOf('\t') + 1))
                        + " " + line.split("\t")[2], () -> check(line.split("\t", 6))));
    }

    private static void check(String[] fields) {
        Module model = MODELS.get(fields[0]).get();
        boolean strict = Boolean.parseBoolean(fields[1]);
        Map<String, Tensor> before = snapshot(model);
        // Another instance's values (different random init), so copies can be told from no-ops.
        Map<String, Tensor> state = new LinkedHashMap<>(MODELS.get(fields[0]).get().stateDict());
        edit(state, fields[2]);
        if (!fields[5].equals("-")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.loadStateDict(state, strict));
            assertEquals(Fixtures.unescape(fields[5]), e.getMessage());
            assertUnchanged(before, model);
            return;
        }
        Module.LoadResult result = model.loadStateDict(state, strict);
        assertEquals(keys(fields[3]), result.missingKeys(), "missing");
        assertEquals(keys(fields[4]), result.unexpectedKeys(), "unexpected");
        model.stateDict().forEach((key, value) -> {
            Tensor given = state.get(key);
            Tensor expected = given == null ? before.get(key)
                    : value.dim() == 0 && given.dim() == 1 ? given.select(0, 0) : given;
            assertArrayEquals(expected.toArray(), value.toArray(), key);
        });
    }

    private static void edit(Map<String, Tensor> state, String edits) {
        if (edits.equals("-")) {
            return;
        }
        for (String edit : edits.split(";")) {
            String[] keyAndArg = edit.substring(1).split(":", 2);
            String key = keyAndArg[0];
            switch (edit.charAt(0)) {
                case '-' -> assertSame(state.get(key), state.remove(key));
                case '+', '~' -> state.put(key, distinct(Fixtures.shape(keyAndArg[1])));
                case '=' -> state.put(key, null);
                default -> throw new IllegalArgumentException(edit);
            }
        }
    }

    /** 5, 6, 7, ... in the given shape: element 0 is recognisable after the 1-d to 0-d rule. */
    private static Tensor distinct(int[] shape) {
        int numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        return Tensor.arange(numel).add(5f).reshape(shape);
    }

    private static List<String> keys(String field) {
        return field.equals("-") ? List.of() : List.of(field.split(","));
    }

    private static Map<String, Tensor> snapshot(Module model) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        model.stateDict().forEach((key, value) -> copy.put(key, value.contiguous().mul(1f)));
        return copy;
    }

    private static void assertUnchanged(Map<String, Tensor> before, Module model) {
        model.stateDict().forEach((key, value) ->
                assertArrayEquals(before.get(key).toArray(), value.toArray(), key + " changed by a failed load"));
    }

    @Test
    void oneArgumentLoadIsStrict() {
        Module model = MODELS.get("mlp").get();
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        state.remove("2.bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
        assertEquals("Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"2.bias\". ",
                e.getMessage());
        assertEquals(new Module.LoadResult(List.of("2.bias"), List.of()), model.loadStateDict(state, false));
    }

    @Test
    void nullKeyIsRejected() {
        Module model = MODELS.get("mlp").get();
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        state.put(null, Tensor.zeros(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state, false));
        assertEquals("Error(s) in loading state_dict for Sequential: the state has a null key", e.getMessage());
    }
}
