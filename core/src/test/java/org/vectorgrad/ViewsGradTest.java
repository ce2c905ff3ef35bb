package org.vectorgrad;

import static org.vectorgrad.GradCheck.check;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.narrowedLeaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (see {@link GradCheck}) of every view: its gradient must put each
 * upstream element back where the view read it from, for contiguous and strided inputs. The
 * references build the same views on row-major doubles with plain index arithmetic.
 */
final class ViewsGradTest {

    private final Random random = new Random(41);

    private float[] values(int n) {
        return uniform(random, n, -2, 2);
    }

    @Test
    void reshapeAndView() {
        check("reshape [2,3,4] -> [6,4]", x -> x[0].reshape(6, 4), x -> x[0].reshape(6, 4), leaf(values(24), 2, 3, 4));
        check("reshape -1", x -> x[0].reshape(-1, 3), x -> x[0].reshape(8, 3), leaf(values(24), 2, 3, 4));
        check("reshape 0-d -> [1,1]", x -> x[0].reshape(1, 1), x -> x[0].reshape(1, 1), leaf(values(1)));
        check("reshape [1] -> 0-d", x -> x[0].reshape(), x -> x[0].reshape(), leaf(values(1), 1));
        check("reshape transposed (copies)", x -> x[0].reshape(12), x -> x[0].reshape(12),
                transposedLeaf(values(12), 3, 4));
        check("reshape transposed [4,3] -> [2,6]", x -> x[0].reshape(2, 6), x -> x[0].reshape(2, 6),
                transposedLeaf(values(12), 4, 3));
        check("reshape narrowed, splitting a dim", x -> x[0].reshape(3, 2, 3), x -> x[0].reshape(3, 2, 3),
                narrowedLeaf(values(18), 3, 6));
        check("view [2,3,4] -> [4,6]", x -> x[0].view(4, 6), x -> x[0].reshape(4, 6), leaf(values(24), 2, 3, 4));
        check("view narrowed, merging leading dims", x -> x[0].view(6, 7), x -> x[0].reshape(6, 7),
                narrowedLeaf(values(42), 2, 3, 7));
    }

    @Test
    void transposeTAndPermute() {
        check("transpose(0,2)", x -> x[0].transpose(0, 2), x -> x[0].transpose(0, 2), leaf(values(30), 2, 3, 5));
        check("transpose(-1,0) narrowed", x -> x[0].transpose(-1, 0), x -> x[0].transpose(-1, 0),
                narrowedLeaf(values(15), 3, 5));
        check("transpose(0,0) 0-d", x -> x[0].transpose(0, 0), x -> x[0], leaf(values(1)));
        check("t [3,5]", x -> x[0].t(), x -> x[0].transpose(0, 1), leaf(values(15), 3, 5));
        check("t transposed", x -> x[0].t(), x -> x[0].transpose(0, 1), transposedLeaf(values(15), 3, 5));
        check("t [5]", x -> x[0].t(), x -> x[0], leaf(values(5), 5));
        check("t 0-d", x -> x[0].t(), x -> x[0], leaf(values(1)));
        check("permute(2,0,1)", x -> x[0].permute(2, 0, 1), x -> x[0].permute(2, 0, 1), leaf(values(30), 2, 3, 5));
        check("permute(-1,-3,-2) transposed", x -> x[0].permute(-1, -3, -2), x -> x[0].permute(2, 0, 1),
                transposedLeaf(values(30), 2, 3, 5));
    }

    @Test
    void selectAndNarrow() {
        check("select(1, 2)", x -> x[0].select(1, 2), x -> x[0].select(1, 2), leaf(values(30), 2, 3, 5));
        check("select(-1, -2)", x -> x[0].select(-1, -2), x -> x[0].select(-1, -2), leaf(values(30), 2, 3, 5));
        check("select(0, 0) [1]", x -> x[0].select(0, 0), x -> x[0].select(0, 0), leaf(values(1), 1));
        check("select(0, -1) transposed", x -> x[0].select(0, -1), x -> x[0].select(0, -1),
                transposedLeaf(values(15), 5, 3));
        check("narrow(1, 1, 2)", x -> x[0].narrow(1, 1, 2), x -> x[0].narrow(1, 1, 2), leaf(values(30), 2, 3, 5));
        check("narrow(-1, -3, 3) narrowed", x -> x[0].narrow(-1, -3, 3), x -> x[0].narrow(1, 4, 3),
                narrowedLeaf(values(21), 3, 7));
        check("narrow(0, 2, 0) empty", x -> x[0].narrow(0, 2, 0), x -> x[0].narrow(0, 2, 0), leaf(values(6), 3, 2));
        check("select of narrow of transpose", x -> x[0].transpose(0, 1).narrow(0, 1, 3).select(1, 1),
                x -> x[0].transpose(0, 1).narrow(0, 1, 3).select(1, 1), leaf(values(20), 4, 5));
    }

    @Test
    void expandUnsqueezeSqueeze() {
        check("expand [3,1] -> [2,3,4]", x -> x[0].expand(2, 3, 4), x -> x[0].expand(2, 3, 4), leaf(values(3), 3, 1));
        check("expand 0-d -> [3,2]", x -> x[0].expand(3, 2), x -> x[0].expand(3, 2), leaf(values(1)));
        check("expand -1 keeps", x -> x[0].expand(2, -1, 4), x -> x[0].expand(2, 3, 4), leaf(values(3), 3, 1));
        check("expand narrowed [1,5] -> [3,5]", x -> x[0].expand(3, 5), x -> x[0].expand(3, 5),
                narrowedLeaf(values(5), 1, 5));
        check("unsqueeze(0)", x -> x[0].unsqueeze(0), x -> x[0].unsqueeze(0), leaf(values(6), 2, 3));
        check("unsqueeze(-1) transposed", x -> x[0].unsqueeze(-1), x -> x[0].unsqueeze(-1),
                transposedLeaf(values(6), 2, 3));
        check("unsqueeze(1)", x -> x[0].unsqueeze(1), x -> x[0].unsqueeze(1), leaf(values(6), 2, 3));
        check("unsqueeze 0-d", x -> x[0].unsqueeze(0), x -> x[0].unsqueeze(0), leaf(values(1)));
        check("squeeze(1) size 1", x -> x[0].squeeze(1), x -> x[0].squeeze(1), leaf(values(6), 2, 1, 3));
        check("squeeze(-1) size 3 (no-op)", x -> x[0].squeeze(-1), x -> x[0], leaf(values(6), 2, 1, 3));
        check("squeeze 0-d", x -> x[0].squeeze(0), x -> x[0], leaf(values(1)));
        check("squeeze narrowed", x -> x[0].squeeze(0), x -> x[0].squeeze(0), narrowedLeaf(values(4), 1, 4));
    }

    @Test
    void flattenAndContiguous() {
        check("flatten [2,3,4]", x -> x[0].flatten(), x -> x[0].reshape(24), leaf(values(24), 2, 3, 4));
        check("flatten transposed", x -> x[0].flatten(), x -> x[0].reshape(12), transposedLeaf(values(12), 3, 4));
        check("flatten narrowed", x -> x[0].flatten(), x -> x[0].reshape(14), narrowedLeaf(values(14), 2, 7));
        check("flatten 0-d", x -> x[0].flatten(), x -> x[0].reshape(1), leaf(values(1)));
        check("flatten [5]", x -> x[0].flatten(), x -> x[0], leaf(values(5), 5));
        check("contiguous transposed", x -> x[0].contiguous(), x -> x[0], transposedLeaf(values(12), 3, 4));
        check("contiguous of contiguous", x -> x[0].contiguous(), x -> x[0], leaf(values(12), 3, 4));
        check("contiguous narrowed", x -> x[0].contiguous(), x -> x[0], narrowedLeaf(values(15), 3, 5));
    }

    @Test
    void chainsOfViewsUsedTwice() {
        // Two views of the same leaf feed one sum: both gradients must accumulate into it.
        check("x.t() * x.reshape(...)", x -> x[0].t().mul(x[0].reshape(3, 3).transpose(0, 1).t()),
                x -> x[0].transpose(0, 1).mul(x[0]), leaf(values(9), 3, 3));
        check("expand then select", x -> x[0].expand(4, 3).select(0, 2).mul(x[0].squeeze(0)),
                x -> x[0].squeeze(0).mul(x[0].squeeze(0)), leaf(values(3), 1, 3));
    }
}
