using System;
using System.Linq;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Kernels;
using NNLinearity.Tests.Generators;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>
/// Tests that need the shared worker team to themselves (a team busy with another test's product makes TryRun return
/// false, by design): xUnit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveKernelTeam
{
    public const string Name = "Exclusive kernel team";
}

[Collection(ExclusiveKernelTeam.Name)]
public class GemmTests
{
    private const double UnitD = 1.1102230246251565e-16; // 2^-53
    private const double UnitF = 5.9604644775390625e-08; // 2^-24

    private static double[] Random(int count, Random rng) => Enumerable.Range(0, count).Select(_ => (rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-3, 4))).ToArray();

    // Each output is one FMA chain of k terms: its error is at most k u sum |a b| (u = unit roundoff); the bound uses 2k u.
    private static void Check(double[] expected, double[] scale, Func<int, double> actual, double u, int k, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = 2 * (k + 2) * u * scale[i] + 1e-300;
            if (!(Math.Abs(actual(i) - expected[i]) <= allowed))
            {
                throw new Xunit.Sdk.XunitException($"{what}[{i}]: expected {expected[i]:R}, got {actual(i):R}, allowed {allowed:G3}");
            }
        }
    }

    /// <summary>Packing inside the product (each thread its own panels) gives Forward's bits and PackTransposed's panels, float and double, 1 and 2 threads.</summary>
    [Law]
    public void ForwardPacking_EqualsPackThenForward(GemmShape s)
    {
        var rng = new Random(s.Seed);
        double[] x = Random(s.M * s.K, rng), w = Random(s.N * s.K, rng), b = Random(s.N, rng);
        float[] xf = x.Select(v => (float)v).ToArray(), wf = w.Select(v => (float)v).ToArray(), bf = b.Select(v => (float)v).ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            var packed = new double[Gemm.PackedLength<double>(s.N, s.K)];
            Gemm.PackTransposed<double>(w, s.N, s.K, packed);
            var z = new double[s.M * s.N];
            Gemm.Forward<double>(x, s.M, s.K, packed, b, s.N, z, threads);
            var packed2 = Enumerable.Repeat(double.NaN, packed.Length).ToArray(); // stale contents must be overwritten
            var z2 = new double[s.M * s.N];
            Gemm.ForwardPacking<double>(x, s.M, s.K, w, b, s.N, z2, packed2, threads);
            Assert.Equal(z, z2);
            if (s.N > 0) Assert.Equal(packed, packed2);

            var packedF = new float[Gemm.PackedLength<float>(s.N, s.K)];
            Gemm.PackTransposed<float>(wf, s.N, s.K, packedF);
            var zf = new float[s.M * s.N];
            Gemm.Forward<float>(xf, s.M, s.K, packedF, bf, s.N, zf, threads);
            var packedF2 = Enumerable.Repeat(float.NaN, packedF.Length).ToArray();
            var zf2 = new float[s.M * s.N];
            Gemm.ForwardPacking<float>(xf, s.M, s.K, wf, bf, s.N, zf2, packedF2, threads);
            Assert.Equal(zf, zf2);
            if (s.N > 0) Assert.Equal(packedF, packedF2);
        }
    }

    /// <summary>
    /// The input gradient scaled inside the product (each tile as it is finished) has the bits of the product scaled
    /// afterwards: edge tiles, several inner blocks (n past KC), 1 and 2 threads, float and double.
    /// </summary>
    [Theory]
    [InlineData(256, 10, 256)]
    [InlineData(13, 1025, 67)]
    [InlineData(7, 3, 130)]
    [InlineData(300, 256, 784)]
    [InlineData(5, 0, 9)]
    public void BackwardInput_Scaled_EqualsScalingAfterwards(int m, int n, int k)
    {
        var rng = new Random(m + 7 * n + 31 * k);
        double[] dz = Random(m * n, rng), w = Random(n * k, rng), d = Random(m * k, rng);
        float[] dzf = dz.Select(v => (float)v).ToArray(), wf = w.Select(v => (float)v).ToArray(), df = d.Select(v => (float)v).ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            var expected = new double[m * k];
            Gemm.BackwardInput<double>(dz, m, n, w, k, expected, threads);
            for (int i = 0; i < expected.Length; i++) expected[i] *= d[i];
            var actual = Enumerable.Repeat(double.NaN, m * k).ToArray();
            Gemm.BackwardInput<double>(dz, m, n, w, k, actual, threads, d);
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));

            var expectedF = new float[m * k];
            Gemm.BackwardInput<float>(dzf, m, n, wf, k, expectedF, threads);
            for (int i = 0; i < expectedF.Length; i++) expectedF[i] *= df[i];
            var actualF = Enumerable.Repeat(float.NaN, m * k).ToArray();
            Gemm.BackwardInput<float>(dzf, m, n, wf, k, actualF, threads, df);
            Assert.Equal(expectedF.Select(BitConverter.SingleToInt32Bits), actualF.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>
    /// The packed panels hold W^T's values bit for bit (the block transposes move values only): shapes with whole
    /// transpose blocks, partial panels and a remainder of columns, over stale buffers; NaN payloads and -0 survive.
    /// </summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(16, 16)]
    [InlineData(64, 784)]
    [InlineData(130, 67)]
    [InlineData(256, 256)]
    [InlineData(257, 33)]
    [InlineData(10, 256)]
    public void PackTransposed_EqualsTheDefinition(int n, int k)
    {
        var rng = new Random(n * 1000 + k);
        double[] w = Random(n * k, rng);
        w[0] = -0.0;
        w[^1] = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234); // a NaN with a payload
        float[] wf = w.Select(v => (float)v).ToArray();
        wf[^1] = BitConverter.Int32BitsToSingle(0x7FC0_1234);

        var packed = Enumerable.Repeat(double.NaN, Gemm.PackedLength<double>(n, k)).ToArray();
        Gemm.PackTransposed<double>(w, n, k, packed);
        Assert.Equal(NaiveGemm.PackTransposed(w, n, k, Gemm.NR<double>()).Select(BitConverter.DoubleToInt64Bits), packed.Select(BitConverter.DoubleToInt64Bits));

        var packedF = Enumerable.Repeat(float.NaN, Gemm.PackedLength<float>(n, k)).ToArray();
        Gemm.PackTransposed<float>(wf, n, k, packedF);
        Assert.Equal(NaiveGemm.PackTransposed(wf, n, k, Gemm.NR<float>()).Select(BitConverter.SingleToInt32Bits), packedF.Select(BitConverter.SingleToInt32Bits));
    }

    [Law]
    public void Kernel_AllProducts_MatchReference_Double(GemmShape s)
    {
        var rng = new Random(s.Seed);
        double[] x = Random(s.M * s.K, rng), w = Random(s.N * s.K, rng), b = Random(s.N, rng), dz = Random(s.M * s.N, rng), dw0 = Random(s.N * s.K, rng);
        foreach (int threads in new[] { 1, 2 })
        {
            var packed = new double[Gemm.PackedLength<double>(s.N, s.K)];
            Gemm.PackTransposed<double>(w, s.N, s.K, packed);
            var z = new double[s.M * s.N];
            Gemm.Forward<double>(x, s.M, s.K, packed, b, s.N, z, threads);
            var (ez, sz) = NaiveGemm.Forward(x, s.M, s.K, w, b, s.N);
            Check(ez, sz, i => z[i], UnitD, s.K, $"Z ({s}, {threads} threads)");

            var dx = new double[s.M * s.K];
            Gemm.BackwardInput<double>(dz, s.M, s.N, w, s.K, dx, threads);
            var (edx, sdx) = NaiveGemm.BackwardInput(dz, s.M, s.N, w, s.K);
            Check(edx, sdx, i => dx[i], UnitD, s.N, $"dX ({s})");

            var dw = (double[])dw0.Clone();
            Gemm.AccumulateWeightGradient<double>(dz, s.M, s.N, x, s.K, dw, threads);
            var (edw, sdw) = NaiveGemm.WeightGradient(dz, s.M, s.N, x, s.K, dw0);
            Check(edw, sdw, i => dw[i], UnitD, s.M, $"dW ({s})");
        }
    }

    [Law]
    public void Kernel_AllProducts_MatchReference_Float(GemmShape s)
    {
        var rng = new Random(s.Seed);
        double[] x = Random(s.M * s.K, rng), w = Random(s.N * s.K, rng), b = Random(s.N, rng), dz = Random(s.M * s.N, rng), dw0 = Random(s.N * s.K, rng);
        // The reference takes the float-rounded inputs, so only the kernel's own rounding is measured.
        float[] xf = x.Select(v => (float)v).ToArray(), wf = w.Select(v => (float)v).ToArray(), bf = b.Select(v => (float)v).ToArray();
        float[] dzf = dz.Select(v => (float)v).ToArray(), dw0f = dw0.Select(v => (float)v).ToArray();
        double[] D(float[] a) => a.Select(v => (double)v).ToArray();

        var packed = new float[Gemm.PackedLength<float>(s.N, s.K)];
        Gemm.PackTransposed<float>(wf, s.N, s.K, packed);
        var z = new float[s.M * s.N];
        Gemm.Forward<float>(xf, s.M, s.K, packed, bf, s.N, z, 2);
        var (ez, sz) = NaiveGemm.Forward(D(xf), s.M, s.K, D(wf), D(bf), s.N);
        Check(ez, sz, i => z[i], UnitF, s.K, $"Z ({s})");

        var dx = new float[s.M * s.K];
        Gemm.BackwardInput<float>(dzf, s.M, s.N, wf, s.K, dx, 2);
        var (edx, sdx) = NaiveGemm.BackwardInput(D(dzf), s.M, s.N, D(wf), s.K);
        Check(edx, sdx, i => dx[i], UnitF, s.N, $"dX ({s})");

        var dw = (float[])dw0f.Clone();
        Gemm.AccumulateWeightGradient<float>(dzf, s.M, s.N, xf, s.K, dw, 2);
        var (edw, sdw) = NaiveGemm.WeightGradient(D(dzf), s.M, s.N, D(xf), s.K, D(dw0f));
        Check(edw, sdw, i => dw[i], UnitF, s.M, $"dW ({s})");
    }

    /// <summary>
    /// Writing the weight gradient (the training step does not clear its gradient first) gives the bits of clearing and
    /// accumulating, over stale NaN contents, edge tiles, several inner blocks, 1 and 2 threads; the column sums
    /// computed inside the weight gradient (each thread its outputs) give the separate sums' bits, written and added.
    /// </summary>
    [Law]
    public void WeightGradient_Overwriting_EqualsClearingThenAccumulating(GemmShape s) => CheckOverwrite(s);

    [Theory]
    [InlineData(1025, 13, 80)]
    [InlineData(300, 50, 100)]
    [InlineData(0, 7, 9)]
    [InlineData(5, 7, 0)]
    public void WeightGradient_Overwriting_EqualsClearingThenAccumulating_AcrossInnerBlocks(int m, int n, int k) => CheckOverwrite(new GemmShape(m, n, k, m + n + k));

    private static void CheckOverwrite(GemmShape s)
    {
        var rng = new Random(s.Seed);
        double[] x = Random(s.M * s.K, rng), dz = Random(s.M * s.N, rng);
        if (dz.Length > 0) dz[0] = -0.0; // a -0 product must come out as a cleared sum's +0
        float[] xf = x.Select(v => (float)v).ToArray(), dzf = dz.Select(v => (float)v).ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            var expected = new double[s.N * s.K];
            Gemm.AccumulateWeightGradient<double>(dz, s.M, s.N, x, s.K, expected, threads);
            double[] written = Enumerable.Repeat(double.NaN, s.N * s.K).ToArray();
            Gemm.WeightGradient<double>(dz, s.M, s.N, x, s.K, written, threads, accumulate: false);
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), written.Select(BitConverter.DoubleToInt64Bits));

            var expectedF = new float[s.N * s.K];
            Gemm.AccumulateWeightGradient<float>(dzf, s.M, s.N, xf, s.K, expectedF, threads);
            float[] writtenF = Enumerable.Repeat(float.NaN, s.N * s.K).ToArray();
            Gemm.WeightGradient<float>(dzf, s.M, s.N, xf, s.K, writtenF, threads, accumulate: false);
            Assert.Equal(expectedF.Select(BitConverter.SingleToInt32Bits), writtenF.Select(BitConverter.SingleToInt32Bits));

            // The bias gradient inside the product: written over NaN, then added to what is there.
            var sumsF = new float[s.N];
            Gemm.AccumulateColumnSums<float>(dzf, s.M, s.N, sumsF);
            float[] fusedF = Enumerable.Repeat(float.NaN, s.N).ToArray();
            writtenF = Enumerable.Repeat(float.NaN, s.N * s.K).ToArray();
            Gemm.WeightGradient<float>(dzf, s.M, s.N, xf, s.K, writtenF, threads, accumulate: false, fusedF);
            Assert.Equal(expectedF.Select(BitConverter.SingleToInt32Bits), writtenF.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(sumsF.Select(BitConverter.SingleToInt32Bits), fusedF.Select(BitConverter.SingleToInt32Bits));
            double[] start = Random(s.N, rng), startW = Random(s.N * s.K, rng);
            double[] sums2 = (double[])start.Clone(), fused2 = (double[])start.Clone(), dw2 = (double[])startW.Clone(), dwFused = (double[])startW.Clone();
            Gemm.AccumulateColumnSums<double>(dz, s.M, s.N, sums2);
            Gemm.AccumulateWeightGradient<double>(dz, s.M, s.N, x, s.K, dw2, threads);
            Gemm.WeightGradient<double>(dz, s.M, s.N, x, s.K, dwFused, threads, accumulate: true, fused2);
            Assert.Equal(sums2.Select(BitConverter.DoubleToInt64Bits), fused2.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(dw2.Select(BitConverter.DoubleToInt64Bits), dwFused.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Law]
    public void Kernel_EveryOutputIsOneFmaChain_BitForBit(GemmShape s) => CheckOneFmaChain(s);

    [Theory]
    [InlineData(13, 67, 1025)]
    [InlineData(7, 1025, 130)]
    [InlineData(1025, 17, 65)]
    public void Kernel_EveryOutputIsOneFmaChain_AcrossInnerBlocks(int m, int n, int k) =>
        // 1025 spans several inner-dimension blocks (KC) of the forward (k), input-gradient (n) and weight-gradient (m)
        // products: the chain must carry across the block boundaries through the stored partial sums.
        CheckOneFmaChain(new GemmShape(m, n, k, m + n + k));

    private static void CheckOneFmaChain(GemmShape s)
    {
        // The kernel's contract: each output is fma(a_p, b_p, acc) over p ascending from its initial value, whatever the
        // vector width (CI runs this on 512-bit, 256-bit, 128-bit and software vectors), the tile edges or the threads.
        var rng = new Random(s.Seed);
        float[] F(int count) => Random(count, rng).Select(v => (float)v).ToArray();
        float[] x = F(s.M * s.K), w = F(s.N * s.K), b = F(s.N), dz = F(s.M * s.N), dw0 = F(s.N * s.K);
        var packed = new float[Gemm.PackedLength<float>(s.N, s.K)];
        Gemm.PackTransposed<float>(w, s.N, s.K, packed);
        var z = new float[s.M * s.N];
        var dx = new float[s.M * s.K];
        var dw = (float[])dw0.Clone();
        Gemm.Forward<float>(x, s.M, s.K, packed, b, s.N, z, 2);
        Gemm.BackwardInput<float>(dz, s.M, s.N, w, s.K, dx, 2);
        Gemm.AccumulateWeightGradient<float>(dz, s.M, s.N, x, s.K, dw, 2);
        for (int i = 0; i < s.M; i++)
        {
            for (int j = 0; j < s.N; j++)
            {
                float acc = b[j];
                for (int p = 0; p < s.K; p++) acc = MathF.FusedMultiplyAdd(x[i * s.K + p], w[j * s.K + p], acc);
                Assert.Equal(BitConverter.SingleToInt32Bits(acc), BitConverter.SingleToInt32Bits(z[i * s.N + j]));
            }

            for (int j = 0; j < s.K; j++)
            {
                float acc = 0;
                for (int p = 0; p < s.N; p++) acc = MathF.FusedMultiplyAdd(dz[i * s.N + p], w[p * s.K + j], acc);
                Assert.Equal(BitConverter.SingleToInt32Bits(acc), BitConverter.SingleToInt32Bits(dx[i * s.K + j]));
            }
        }

        for (int j = 0; j < s.N; j++)
        {
            for (int q = 0; q < s.K; q++)
            {
                float acc = dw0[j * s.K + q];
                for (int i = 0; i < s.M; i++) acc = MathF.FusedMultiplyAdd(dz[i * s.N + j], x[i * s.K + q], acc);
                Assert.Equal(BitConverter.SingleToInt32Bits(acc), BitConverter.SingleToInt32Bits(dw[j * s.K + q]));
            }
        }
    }

    [Fact]
    public void Tile_IsTheOverrideWhenThisMachineCanRunIt_ElseTheDefault()
    {
        GemmTile fallback = Gemm.ChooseTile(null);
        Assert.Equal(GemmTile.Vector2, Gemm.ChooseTile("vector2"));
        Assert.Equal(GemmTile.Vector4, Gemm.ChooseTile(" Vector4 "));
        Assert.Equal(VectorMath.Use512 ? GemmTile.Vector512 : fallback, Gemm.ChooseTile("vector512"));
        Assert.Equal(fallback, Gemm.ChooseTile("no such tile"));

        // The process's tile follows the variable, so that CI's runs with it set test the tile they name.
        Assert.Equal(Gemm.ChooseTile(Environment.GetEnvironmentVariable(Gemm.TileVariable)), Gemm.Tile);
        int[] mr = [Gemm.MR<float>(), Gemm.MR<double>()];
        Assert.Equal(Gemm.Tile == GemmTile.Vector4 ? [8, 6] : [6, 6], mr);
    }

    [Fact]
    public void Kernel_ResultsDoNotDependOnThreadCount()
    {
        // 300 x 300 x 300 is 54 MFLOP, far above the inline threshold: one and two threads must agree bit for bit.
        const int m = 301, n = 299, k = 300;
        var rng = new Random(7);
        double[] x = Random(m * k, rng), w = Random(n * k, rng), b = Random(n, rng), dz = Random(m * n, rng);
        var packed = new double[Gemm.PackedLength<double>(n, k)];
        Gemm.PackTransposed<double>(w, n, k, packed);
        double[] Run(int threads, int which)
        {
            switch (which)
            {
                case 0:
                    var z = new double[m * n];
                    Gemm.Forward<double>(x, m, k, packed, b, n, z, threads);
                    return z;
                case 1:
                    var dx = new double[m * k];
                    Gemm.BackwardInput<double>(dz, m, n, w, k, dx, threads);
                    return dx;
                default:
                    var dw = new double[n * k];
                    Gemm.AccumulateWeightGradient<double>(dz, m, n, x, k, dw, threads);
                    return dw;
            }
        }

        for (int which = 0; which < 3; which++)
        {
            double[] one = Run(1, which);
            Assert.Equal(one, Run(2, which));
            Assert.Equal(one, Run(5, which)); // more chunks than cores: the team's threads claim them in turn

            // Concurrent callers: one holds the worker team, the others split their work through the thread pool.
            double[][] concurrent = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4).Select(_ => Run(2, which)).ToArray();
            foreach (double[] r in concurrent) Assert.Equal(one, r);
        }
    }

    [Fact]
    public void Team_RunsEveryChunkOnce_AndRethrowsAChunksException()
    {
        for (int chunks = 1; chunks <= 7; chunks++)
        {
            var counts = new int[chunks];
            var work = new CountingWork(counts, throwOn: -1);
            for (int repeat = 0; repeat < 50; repeat++)
            {
                if (!KernelTeam.Shared.TryRun(work, chunks)) Assert.Equal(1, Environment.ProcessorCount); // no workers: nothing run
                else Assert.All(counts, c => Assert.Equal(repeat + 1, c));
            }
        }

        var failing = new CountingWork(new int[4], throwOn: 3);
        if (KernelTeam.Shared.TryRun(new CountingWork(new int[1], -1), 1))
        {
            var e = Assert.Throws<InvalidOperationException>(() => KernelTeam.Shared.TryRun(failing, 4));
            Assert.Equal("chunk 3", e.Message);
            Assert.Equal(new[] { 1, 1, 1, 1 }, failing.Counts); // the other chunks still ran, and the team is free again
            Assert.True(KernelTeam.Shared.TryRun(new CountingWork(new int[2], -1), 2));
        }
    }

    private sealed class CountingWork(int[] counts, int throwOn) : IChunkWork
    {
        public int[] Counts => counts;

        public void Run(int chunk, int chunks)
        {
            Assert.Equal(counts.Length, chunks);
            Interlocked.Increment(ref counts[chunk]);
            if (chunk == throwOn) throw new InvalidOperationException($"chunk {chunk}");
        }
    }

    /// <summary>The bias gradient is each column's sum in row order, added to what db holds: bit for bit, both precisions, every vector width.</summary>
    [Fact]
    public void ColumnSums_MatchReference()
    {
        var rng = new Random(3);
        foreach (int n in new[] { 1, 3, 4, 7, 8, 9, 17, 33 })
        {
            double[] dz = Random(5 * n, rng), start = Random(n, rng);
            double[] db = (double[])start.Clone();
            Gemm.AccumulateColumnSums<double>(dz, 5, n, db);
            float[] dzf = dz.Select(v => (float)v).ToArray(), dbf = start.Select(v => (float)v).ToArray();
            float[] startF = (float[])dbf.Clone();
            Gemm.AccumulateColumnSums<float>(dzf, 5, n, dbf);
            for (int j = 0; j < n; j++)
            {
                double expected = start[j];
                float expectedF = startF[j];
                for (int i = 0; i < 5; i++)
                {
                    expected += dz[i * n + j];
                    expectedF += dzf[i * n + j];
                }

                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(db[j]));
                Assert.Equal(BitConverter.SingleToInt32Bits(expectedF), BitConverter.SingleToInt32Bits(dbf[j]));
            }
        }
    }
}
