using System;
using System.Runtime.Intrinsics;
using NNLinearity.Numerics;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Kernels;

public unsafe class WeightedGramTests
{
    public static TheoryData<int, int> Shapes()
    {
        var d = new TheoryData<int, int>();
        foreach (int rows in new[] { 1, 2, 3, 5, 7, 17, 64, 127, 128 })
        {
            foreach (int columns in new[] { 1, 2, 5, 8, 9, 22, 31 }) d.Add(rows, columns);
        }

        return d;
    }

    /// <summary>
    /// Every Gram kernel this machine can run (the 512-bit one where AVX-512 is accelerated, and the Vector&lt;T&gt; one)
    /// with row weights (some 0) equals the naive triple loop on the lower triangle, to 1e-13 relative to the sum of |terms| (different
    /// summation orders round differently).
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Kernels_MatchNaiveLoop(int rows, int columns)
    {
        int stride = WeightedGram.PaddedColumns(columns);
        var rng = new Random(rows * 100 + columns);
        double[] u = new double[rows * stride];
        double[] abs = new double[u.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                u[i * stride + j] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 4));
                abs[i * stride + j] = Math.Abs(u[i * stride + j]);
            }
        }

        double[] w = new double[rows];
        for (int i = 0; i < rows; i++) w[i] = rng.Next(5) == 0 ? 0 : rng.NextDouble() * Math.Pow(10, rng.Next(-2, 3));
        double[,] expected = NaiveGram.LowerTriangle(u, w, rows, columns, stride);
        double[,] size = NaiveGram.LowerTriangle(abs, w, rows, columns, stride);
        var kernels = new System.Collections.Generic.List<(string, Action<double[]>)> { ("Vector<T>", g => WeightedGram.AccumulateVector(u, rows, stride, w, g)) };
        // The 512-bit kernel takes strides of whole 512-bit vectors, as Accumulate chooses it (with Vector<T> at 128
        // bits the padded stride of a few columns is 4).
        if (Vector512.IsHardwareAccelerated && stride % 8 == 0)
        {
            kernels.Add(("Vector512", g => WeightedGram.Accumulate512(u, rows, stride, w, g)));
            kernels.Add(("Vector512, real columns only", g => WeightedGram.Accumulate512(u, rows, stride, w, g, columns: columns)));
        }

        foreach ((string name, Action<double[]> run) in kernels)
        {
            double[] gram = new double[stride * stride];
            run(gram);
            for (int j = 0; j < columns; j++)
            {
                for (int l = 0; l <= j; l++)
                {
                    Tolerance.Equal(expected[j, l], gram[l * stride + j], 0, 1e-13 * size[j, l], $"{name} gram[{j}, {l}]");
                }
            }
        }

        // Broadcasting only the real columns changes no bit of their cells and leaves the padding's rows of the Gram as
        // they were (here NaN).
        if (Vector512.IsHardwareAccelerated && stride % 8 == 0)
        {
            double[] all = new double[stride * stride], real = new double[stride * stride];
            real.AsSpan().Fill(double.NaN);
            for (int l = 0; l < columns; l++) real.AsSpan(l * stride, stride).Clear();
            WeightedGram.Accumulate512(u, rows, stride, w, all);
            WeightedGram.Accumulate512(u, rows, stride, w, real, columns: columns);
            for (int l = 0; l < stride; l++)
            {
                for (int j = l; j < stride; j++)
                {
                    if (l < columns) Assert.Equal(all[l * stride + j], real[l * stride + j]);
                    else if (l >= (columns + 1) / 2 * 2 && (l / 8) * 8 + 8 == stride) Assert.True(double.IsNaN(real[l * stride + j]), $"padding cell [{l}, {j}] was written");
                }
            }
        }

        // Asking the cache for the next block's lines while computing (as the IRLS pass does) changes no bit.
        double[] plain = new double[stride * stride], asking = new double[stride * stride], next = new double[rows * stride + 64];
        WeightedGram.Accumulate(u, rows, stride, w, plain);
        fixed (double* a = next) WeightedGram.Accumulate(u, rows, stride, w, asking, ((IntPtr)a, next.Length * sizeof(double) / 64));
        Assert.Equal(plain, asking);
    }

    [Fact]
    public void SetColumn_WritesOneColumn_AndRefusesACellOutsideTheBlock()
    {
        const int rows = 21, stride = 8; // two groups of eight rows and a rest
        double[] u = new double[rows * stride];
        u.AsSpan().Fill(-1);
        double[] z = new double[rows];
        for (int i = 0; i < rows; i++) z[i] = i + 1;
        WeightedGram.SetColumn(u, rows, stride, z, 6);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < stride; j++) Assert.Equal(j == 6 ? z[i] : -1, u[i * stride + j]);
        }

        Assert.Equal("column", Assert.Throws<ArgumentException>(() => WeightedGram.SetColumn(u, rows, stride, z, 8)).ParamName);
        Assert.Equal("column", Assert.Throws<ArgumentException>(() => WeightedGram.SetColumn(u, rows + 1, stride, new double[rows + 1], 0)).ParamName);
        Assert.Equal("column", Assert.Throws<ArgumentException>(() => WeightedGram.SetColumn(u, rows, stride, z.AsSpan(0, rows - 1), 0)).ParamName);
    }

    [Fact]
    public void Kernel512_RefusesAColumnCountBeyondTheStride()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WeightedGram.Accumulate512(new double[16], 2, 8, new double[2], new double[64], columns: 9));
        Assert.Equal("columns", e.ParamName);
        Assert.Contains("9", e.Message, StringComparison.Ordinal);
        Assert.Equal("columns", Assert.Throws<ArgumentOutOfRangeException>(() => WeightedGram.Accumulate512(new double[16], 2, 8, new double[2], new double[64], columns: -1)).ParamName);
    }

    [Fact]
    public void Kernel512_RefusesAStrideOfPartVectors()
    {
        var e = Assert.Throws<ArgumentException>(() => WeightedGram.Accumulate512(new double[12], 3, 4, new double[3], new double[16]));
        Assert.Equal("stride", e.ParamName);
    }
}
