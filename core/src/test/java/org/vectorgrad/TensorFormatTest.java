package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks {@link TensorFormat} against reprs printed by real PyTorch 1.13, written to
 * {@code fixtures/repr.txt} by {@code tools/pytorch/gen_repr_fixtures.py} (which documents the
 * line format).
 */
final class TensorFormatTest {

    private static final String FIXTURE = "/fixtures/repr.txt";

    /** One fixture line: the inputs of {@link TensorFormat#repr} and PyTorch's output. */
    private record Case(String name, int[] shape, boolean isBool, List<String> suffixes,
                        float[] values, String expected) {

        static Case parse(String line) {
            String[] fields = line.split("\t", -1);
            if (fields.length != 6) {
                throw new IllegalStateException("expected 6 fields in fixture line: " + line);
            }
            int[] shape = Fixtures.shape(fields[1]);
            List<String> suffixes = fields[3].equals("-") ? List.of()
                    : List.of(fields[3].split("\\|"));
            return new Case(fields[0], shape, fields[2].equals("bool"), suffixes,
                    values(fields[4], shape), Fixtures.unescape(fields[5]));
        }

        private static float[] values(String field, int[] shape) {
            if (field.equals("arange")) {
                float[] values = new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)];
                for (int i = 0; i < values.length; i++) {
                    values[i] = i;
                }
                return values;
            }
            return Fixtures.floats(field);
        }

        String describe() {
            return "fixture case '" + name + "': shape " + Arrays.toString(shape) + ", "
                    + (isBool ? "bool" : "float") + ", suffixes " + suffixes;
        }
    }

    private static List<Case> loadCases() {
        return Fixtures.dataLines(FIXTURE).stream().map(Case::parse).toList();
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return loadCases().stream().map(c -> dynamicTest(c.name(), () -> assertEquals(
                c.expected(), TensorFormat.repr(c.values(), c.shape(), c.isBool(), c.suffixes()),
                c::describe)));
    }

    @Test
    void fixtureHasEveryKindOfCase() {
        List<Case> cases = loadCases();
        assertTrue(cases.size() >= 700, "only " + cases.size() + " fixture cases");
        assertTrue(cases.stream().anyMatch(c -> c.expected().contains("...")), "no summary");
        assertTrue(cases.stream().anyMatch(c -> c.expected().contains("e+")), "no sci mode");
        assertTrue(cases.stream().anyMatch(c -> c.expected().contains(",\n       grad_fn=")),
                "no wrapped suffix");
        long randomCount = cases.stream().filter(c -> c.name().startsWith("random_")).count();
        assertTrue(randomCount >= 300, "only " + randomCount + " random cases");
    }

    @Test
    void reproducesTheSeedOutputs() {
        assertEquals("tensor([-12.,  65.], grad_fn=<SubBackward0>)",
                TensorFormat.repr(new float[] {-12, 65}, new int[] {2}, false,
                        List.of("grad_fn=<SubBackward0>")));
        assertEquals("tensor([ 54.0000, 153.9000])",
                TensorFormat.repr(new float[] {54f, 153.9f}, new int[] {2}, false, List.of()));
        assertEquals("tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])",
                TensorFormat.repr(new float[] {102.4f, 1024f, 0.1024f}, new int[] {3}, false,
                        List.of()));
        assertEquals("tensor([   48.6576,  -666.0714, -1112.4949], grad_fn=<MulBackward0>)",
                TensorFormat.repr(new float[] {48.6576f, -666.0714f, -1112.4949f},
                        new int[] {3}, false, List.of("grad_fn=<MulBackward0>")));
        assertEquals("tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)",
                TensorFormat.repr(new float[] {1, 1, 1, 1}, new int[] {2, 2}, false,
                        List.of("requires_grad=True")));
    }

    @Test
    void rejectsValueCountThatDoesNotMatchShape() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> TensorFormat.repr(new float[5], new int[] {2, 3}, false, List.of()));
        assertTrue(error.getMessage().contains("5") && error.getMessage().contains("6"),
                error.getMessage());
        var scalar = assertThrows(IllegalArgumentException.class,
                () -> TensorFormat.repr(new float[0], new int[0], false, List.of()));
        assertTrue(scalar.getMessage().contains("0") && scalar.getMessage().contains("1"),
                scalar.getMessage());
    }

    @Test
    void rejectsNegativeDimension() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> TensorFormat.repr(new float[0], new int[] {2, -1}, false, List.of()));
        assertTrue(error.getMessage().contains("-1"), error.getMessage());
    }
}
