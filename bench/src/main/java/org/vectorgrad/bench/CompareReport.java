package org.vectorgrad.bench;

import java.util.Map;

/** The Markdown file of one comparison run: what ran where, then the table and how to read it. */
final class CompareReport {
    private CompareReport() {
    }

    /**
     * @param machine    this JVM's facts ({@link Machine#describe})
     * @param torch      PyTorch's facts from its result file, or null when PyTorch did not run
     * @param torchNote  why PyTorch did not run (shown when {@code torch} is null)
     * @param command    the command line that produced the run
     * @param settings   how the numbers were taken (iterations, quick mode)
     * @param files      the raw result files beside this report
     * @param best         each side at its best thread count, per workload
     * @param table        both sides at each thread count
     */
    static String markdown(String date, Map<String, String> machine, Map<String, String> torch, String torchNote,
                           String command, String settings, String files, ComparisonTable best,
                           ComparisonTable table) {
        StringBuilder text = new StringBuilder();
        text.append("# Vectorgrad vs PyTorch, ").append(date).append("\n\n");
        text.append("Produced by `").append(command).append("`. ").append(settings).append("\n\n");
        text.append("## Machine\n\n");
        machine.forEach((label, value) -> text.append("- ").append(label).append(": ").append(value).append('\n'));
        if (torch == null) {
            text.append("- PyTorch: ").append(torchNote).append('\n');
        } else {
            text.append("- PyTorch: ").append(torch.getOrDefault("torch", "?"))
                    .append(" (CPU capability ").append(torch.getOrDefault("torch_cpu_capability", "?"))
                    .append("; BLAS ").append(torch.getOrDefault("blas", "?"))
                    .append("), Python ").append(torch.getOrDefault("python", "?")).append('\n');
        }
        text.append("\n## Best of 1 and 2 threads\n\n").append(best.toMarkdown()).append('\n');
        text.append("Each side at its faster thread count (threads: Vectorgrad / PyTorch when they differ).\n");
        text.append("\n## Per thread count\n\n").append(table.toMarkdown()).append('\n');
        text.append(ComparisonTable.RATIO_LEGEND).append(' ');
        text.append("Elementwise rows marked (out=) write into a preallocated result on both sides"
                + " (Vectorgrad: the kernel; PyTorch: `out=`, relu via `clamp(min=0, out=)`); the others allocate it."
                + " A — means that side did not run or failed.\n\n");
        text.append("Raw results: ").append(files).append('\n');
        return text.toString();
    }
}
