package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.models.ResNet;

/**
 * After the same {@code manualSeed}, modules built in the same order hold exactly PyTorch's initial
 * values ({@code init} blocks of fixtures/nn_modules.txt): every state_dict entry's name, kind,
 * shape, first values and the CRC32 of all its float32 bytes. For ResNet-18 this pins torchvision's
 * architecture, parameter names, construction order and initialisation at once.
 */
class ModuleInitTest {
    private static final Map<String, Supplier<Module>> MODULES = new LinkedHashMap<>();

    static {
        MODULES.put("linear_5_3", () -> new Linear(5, 3));
        MODULES.put("linear_stack", () -> new Sequential(new Linear(7, 4), new Linear(4, 2, false), new Linear(2, 1)));
        MODULES.put("conv_mix", () -> new Sequential(new Conv2d(3, 8, 3), new Conv2d(8, 2, 1, 1, 0, 1, false),
                new Conv2d(1, 1, 2), new BatchNorm2d(2), new Linear(3, 16)));
        MODULES.put("conv_kaiming_normal_small", () -> {
            Conv2d conv = new Conv2d(1, 2, 2);
            Init.kaimingNormalFanOutRelu(conv.weight());
            return conv;
        });
        MODULES.put("resnet18_10", () -> ResNet.resnet18(10));
    }

    record Entry(String kind, String key, String shape, String crc, String head) {
    }

    /** One {@code init} block: the seed given to {@code torch.manual_seed} and the expected state_dict. */
    record InitCase(long seed, List<Entry> entries) {
    }

    /** Every {@code init} block of the fixture by name, in file order. */
    static Map<String, InitCase> initCases() {
        Map<String, InitCase> cases = new LinkedHashMap<>();
        List<String> lines = Fixtures.dataLines("/fixtures/nn_modules.txt");
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("init\t")) {
                continue;
            }
            String[] head = lines.get(i).split("\t");
            List<Entry> entries = new ArrayList<>();
            while (!lines.get(++i).equals("end")) {
                String[] f = lines.get(i).split("\t");
                entries.add(new Entry(f[1], f[2], f[3], f[4], f[5]));
            }
            cases.put(head[1], new InitCase(Long.parseLong(head[2]), entries));
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> initialValuesAreTorchsBitForBit() {
        Map<String, InitCase> cases = initCases();
        assertEquals(MODULES.keySet(), cases.keySet(), "every init case has a Java module");
        return cases.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> {
            Tensor.manualSeed(c.getValue().seed());
            assertState(MODULES.get(c.getKey()).get(), c.getValue().entries());
        }));
    }

    /** The module's state_dict has exactly the expected names, kinds, shapes and values. */
    static void assertState(Module module, List<Entry> expected) {
        Map<String, Tensor> state = module.stateDict();
        Map<String, Tensor> parameters = module.namedParameters();
        assertEquals(expected.stream().map(Entry::key).toList(), List.copyOf(state.keySet()), "state_dict keys");
        for (Entry e : expected) {
            Tensor t = state.get(e.key());
            assertEquals(e.kind(), parameters.containsKey(e.key()) ? "param" : "buffer", e.key());
            assertEquals(e.shape(), shape(t), e.key());
            assertEquals(e.head(), hex(t, 8), e.key() + " first values");
            assertEquals(e.crc(), crc(t), e.key() + " CRC32 of all values");
        }
        assertTrue(expected.stream().anyMatch(e -> e.kind().equals("param")));
    }

    static String shape(Tensor t) {
        StringBuilder out = new StringBuilder();
        for (int s : t.shape()) {
            out.append(out.isEmpty() ? "" : "x").append(s);
        }
        return out.isEmpty() ? "-" : out.toString();
    }

    static String hex(Tensor t, int limit) {
        float[] values = t.toArray();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(limit, values.length); i++) {
            out.append(String.format("%08x", Float.floatToRawIntBits(values[i])));
        }
        return out.isEmpty() ? "-" : out.toString();
    }

    private static String crc(Tensor t) {
        float[] values = t.toArray();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }
}
