package org.vectorgrad.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs tools/pytorch/bench_torch.py on the Python that has PyTorch. */
final class TorchProcess {
    static final String INSTALL_HINT = "apt-get install -y python3-torch python3-torchvision libopenblas0-openmp";
    private static final long PROBE_SECONDS = 60;

    private TorchProcess() {
    }

    /** True when {@code python -c 'import torch'} succeeds. */
    static boolean available(String python) {
        try {
            Process probe = new ProcessBuilder(python, "-c", "import torch")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!probe.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The script's command line for these options, writing its JSON to {@code output}. */
    static List<String> command(CompareOptions options, Path output) {
        List<String> command = new ArrayList<>(List.of(options.python(), options.torchScript().toString(),
                "--output", output.toString(), "--filter", options.filter()));
        if (options.quick()) {
            command.add("--quick");
        }
        return command;
    }

    /**
     * PyTorch as it is deployed for speed: OpenBLAS free to pick its own (AVX-512) kernel instead of
     * a core type or L2 size forced by the environment, and glibc malloc keeping freed memory, as
     * long-running PyTorch services configure it (otherwise every large tensor is a fresh mmap and
     * its page faults, ~12 µs per 4 KB on these VMs, make PyTorch's CNN step 4× slower).
     */
    static void deployedForSpeed(Map<String, String> environment) {
        environment.remove("OPENBLAS_CORETYPE");
        environment.remove("OPENBLAS_L2_SIZE");
        environment.put("MALLOC_MMAP_THRESHOLD_", "33554432");
        environment.put("MALLOC_TRIM_THRESHOLD_", "4294967296");
        environment.put("MALLOC_TOP_PAD_", "536870912");
    }

    /** Runs the script (its progress lines go to our stderr); true when it exited normally. */
    static boolean run(CompareOptions options, Path output) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command(options, output));
        deployedForSpeed(builder.environment());
        Process script = builder
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return script.waitFor() == 0;
    }
}
